// torchvision paste_masks_in_image (0.14): each M x M mask probability map is zero-padded by `padding`,
// its box grown by (M + 2·padding) / M to match, truncated to integers (toward zero, like .to(int64)),
// resized bilinearly (align_corners=False) to the box's (h + 1) x (w + 1) pixels and written into the
// image with clipping. Plain typed arrays: this is inference bookkeeping, not on the autodiff path.
// Only the part of each resized mask that lands inside the image is computed.

const f32 = Math.fround;

/** Boxes [K, 4] scaled about their centres by `scale`, in float32 as torchvision's expand_boxes. */
export function expandBoxes(boxes: Float32Array, scale: number): Float32Array {
  const s = f32(scale);
  const out = new Float32Array(boxes.length);
  for (let i = 0; i < boxes.length; i += 4) {
    const wHalf = f32(f32(f32(boxes[i + 2]! - boxes[i]!) * 0.5) * s);
    const hHalf = f32(f32(f32(boxes[i + 3]! - boxes[i + 1]!) * 0.5) * s);
    const cx = f32(f32(boxes[i + 2]! + boxes[i]!) * 0.5);
    const cy = f32(f32(boxes[i + 3]! + boxes[i + 1]!) * 0.5);
    out[i] = cx - wHalf;
    out[i + 1] = cy - hHalf;
    out[i + 2] = cx + wHalf;
    out[i + 3] = cy + hHalf;
  }
  return out;
}

/** torch's align_corners=False source coordinate for every output index along one axis. */
function axisTaps(inSize: number, outSize: number, lo: Int32Array, hi: Int32Array, wHi: Float32Array): void {
  if (inSize === outSize) {
    for (let i = 0; i < outSize; i++) {
      lo[i] = hi[i] = i;
      wHi[i] = 0;
    }
    return;
  }
  const ratio = f32(inSize / outSize);
  for (let i = 0; i < outSize; i++) {
    const src = Math.max(f32(f32(ratio * (i + 0.5)) - 0.5), 0);
    const l = Math.trunc(src);
    lo[i] = l;
    hi[i] = l < inSize - 1 ? l + 1 : l;
    wHi[i] = Math.min(Math.max(f32(src - l), 0), 1);
  }
}

/**
 * Pastes K masks ([K, M, M] probabilities, row-major) into an image of `imageSize` (height, width),
 * boxes [K, 4] in that image's coordinates. Returns [K, H, W] floats in [0, 1]; threshold at 0.5 for
 * binary masks. Boxes wholly above or left of the image paste nothing.
 */
export function pasteMasksInImage(
  masks: Float32Array,
  maskSize: number,
  boxes: Float32Array,
  imageSize: readonly [number, number],
  padding = 1,
): Float32Array {
  const [imH, imW] = imageSize;
  const k = boxes.length / 4;
  if (masks.length !== k * maskSize * maskSize) throw new Error('pasteMasksInImage: masks are not [K, M, M]');
  const p = maskSize + 2 * padding;
  const expanded = expandBoxes(boxes, p / maskSize);
  const out = new Float32Array(k * imH * imW);
  const padded = new Float32Array(p * p);
  let cap = 0;
  let yLo = new Int32Array(0), yHi = new Int32Array(0), yW = new Float32Array(0);
  let xLo = new Int32Array(0), xHi = new Int32Array(0), xW = new Float32Array(0);
  for (let n = 0; n < k; n++) {
    const bx0 = Math.trunc(expanded[n * 4]!);
    const by0 = Math.trunc(expanded[n * 4 + 1]!);
    const bx1 = Math.trunc(expanded[n * 4 + 2]!);
    const by1 = Math.trunc(expanded[n * 4 + 3]!);
    const w = Math.max(bx1 - bx0 + 1, 1);
    const h = Math.max(by1 - by0 + 1, 1);
    const x0 = Math.max(bx0, 0), x1 = Math.min(bx1 + 1, imW);
    const y0 = Math.max(by0, 0), y1 = Math.min(by1 + 1, imH);
    if (x1 <= x0 || y1 <= y0) continue;
    for (let r = 0; r < maskSize; r++) {
      const src = masks.subarray((n * maskSize + r) * maskSize, (n * maskSize + r + 1) * maskSize);
      padded.set(src, (r + padding) * p + padding);
    }
    if (Math.max(h, w) > cap) {
      cap = Math.max(h, w);
      [yLo, yHi, yW] = [new Int32Array(cap), new Int32Array(cap), new Float32Array(cap)];
      [xLo, xHi, xW] = [new Int32Array(cap), new Int32Array(cap), new Float32Array(cap)];
    }
    axisTaps(p, h, yLo, yHi, yW);
    axisTaps(p, w, xLo, xHi, xW);
    const base = n * imH * imW;
    for (let y = y0; y < y1; y++) {
      const r = y - by0;
      const h1 = yW[r]!, h0 = f32(1 - h1);
      const top = yLo[r]! * p, bottom = yHi[r]! * p;
      for (let x = x0; x < x1; x++) {
        const c = x - bx0;
        const w1 = xW[c]!, w0 = f32(1 - w1);
        const a = f32(f32(padded[top + xLo[c]!]! * w0) + f32(padded[top + xHi[c]!]! * w1));
        const b = f32(f32(padded[bottom + xLo[c]!]! * w0) + f32(padded[bottom + xHi[c]!]! * w1));
        out[base + y * imW + x] = f32(a * h0) + f32(b * h1);
      }
    }
  }
  return out;
}
