// torchvision AnchorGenerator (0.14). Anchors are plain Float32Array rows of (x1, y1, x2, y2); arithmetic
// mirrors torchvision's float32 tensors so that values match bit for bit.

const f32 = Math.fround;

export interface AnchorConfig {
  /** Anchor sizes per feature level, e.g. [[32], [64], [128], [256], [512]]. */
  sizes: readonly (readonly number[])[];
  /** Aspect ratios (height / width) per level, e.g. [[0.5, 1, 2], ...]. */
  aspectRatios: readonly (readonly number[])[];
}

/** torch.round rounds half to even (nearbyint), unlike Math.round. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Zero-centred anchors for one level: rows ordered ratio-major, scale-minor (torchvision's
 * `(w_ratios[:, None] * scales[None, :]).view(-1)`), each round(±w/2, ±h/2).
 */
export function cellAnchors(scales: readonly number[], aspectRatios: readonly number[]): Float32Array {
  const out = new Float32Array(scales.length * aspectRatios.length * 4);
  let o = 0;
  for (const ratio of aspectRatios) {
    const hRatio = f32(Math.sqrt(f32(ratio)));
    const wRatio = f32(1 / hRatio);
    for (const scale of scales) {
      const ws = f32(wRatio * f32(scale));
      const hs = f32(hRatio * f32(scale));
      out[o++] = roundHalfEven(f32(-ws / 2));
      out[o++] = roundHalfEven(f32(-hs / 2));
      out[o++] = roundHalfEven(f32(ws / 2));
      out[o++] = roundHalfEven(f32(hs / 2));
    }
  }
  return out;
}

/** Cell anchors shifted over a grid: location-major (row-major over y, x), cell-anchor-minor. */
export function gridAnchors(
  cell: Float32Array,
  gridH: number,
  gridW: number,
  strideH: number,
  strideW: number,
): Float32Array {
  const a = cell.length / 4;
  const out = new Float32Array(gridH * gridW * a * 4);
  let o = 0;
  for (let y = 0; y < gridH; y++) {
    const sy = y * strideH;
    for (let x = 0; x < gridW; x++) {
      const sx = x * strideW;
      for (let k = 0; k < a; k++) {
        out[o++] = sx + cell[k * 4]!;
        out[o++] = sy + cell[k * 4 + 1]!;
        out[o++] = sx + cell[k * 4 + 2]!;
        out[o++] = sy + cell[k * 4 + 3]!;
      }
    }
  }
  return out;
}

export interface Anchors {
  /** All levels concatenated, [numAnchors, 4] row-major. */
  boxes: Float32Array;
  /** Number of anchors contributed by each level (gridH * gridW * anchorsPerLocation). */
  perLevel: number[];
}

/** Anchors per location for each level (len(sizes) * len(ratios)), as RPN heads need. */
export function numAnchorsPerLocation(cfg: AnchorConfig): number[] {
  return cfg.sizes.map((s, i) => s.length * (cfg.aspectRatios[i]?.length ?? 0));
}

/**
 * Anchors for one (padded) batch image size and the feature map sizes of each level. The stride of a
 * level is `imageSize // featureSize` per axis (integer division, as torchvision).
 */
export function generateAnchors(
  cfg: AnchorConfig,
  imageSize: readonly [number, number],
  featureSizes: readonly (readonly [number, number])[],
): Anchors {
  if (cfg.sizes.length !== featureSizes.length || cfg.aspectRatios.length !== featureSizes.length) {
    throw new Error(`anchors: ${featureSizes.length} feature maps but ${cfg.sizes.length} size sets`);
  }
  const levels: Float32Array[] = [];
  featureSizes.forEach(([gh, gw], i) => {
    const cell = cellAnchors(cfg.sizes[i]!, cfg.aspectRatios[i]!);
    levels.push(gridAnchors(cell, gh, gw, Math.floor(imageSize[0] / gh), Math.floor(imageSize[1] / gw)));
  });
  const total = levels.reduce((n, l) => n + l.length, 0);
  const boxes = new Float32Array(total);
  let o = 0;
  for (const l of levels) {
    boxes.set(l, o);
    o += l.length;
  }
  return { boxes, perLevel: levels.map((l) => l.length / 4) };
}
