// Where torchvision 0.14's RoIAlign samples the feature map, computed in float32 exactly as its C++
// kernel does (so floor/clamp decisions at pixel boundaries agree). Both RoIAlign implementations
// (roi-align.ts, roi-align-gather.ts) consume these samples.
//
// Per bin, gh x gw samples at start + p·bin + (i + 0.5)·bin / g along each axis. A coordinate
// v < -1 or v > size drops the sample (it still counts in the average); v <= 0 clamps to 0; a low
// neighbour at size - 1 or beyond pins both neighbours to size - 1. Sample positions and weights
// factor into independent y and x parts, stored here per axis.

const f32 = Math.fround;

export interface RoiAlignOptions {
  /** Output (height, width), or one number for a square output. */
  outputSize: number | readonly [number, number];
  /** Multiplies box coordinates to get feature-map coordinates (1 / stride). */
  spatialScale: number;
  /** Samples per bin along each axis; <= 0 means adaptive ceil(roiSize / outputSize) as torchvision. */
  samplingRatio: number;
  /** torchvision's `aligned` flag (half-pixel offset, no minimum RoI size). Default false. */
  aligned?: boolean;
}

/** Samples along one axis: low/high neighbour and their weights; lo = -1 marks a dropped sample. */
export interface AxisSamples {
  lo: Int32Array;
  hi: Int32Array;
  wLo: Float32Array;
  wHi: Float32Array;
}

export interface RoiSamples {
  numRois: number;
  outH: number;
  outW: number;
  /** Image of each RoI. */
  batch: Int32Array;
  /** Samples per bin along y / x for each RoI. */
  gh: Int32Array;
  gw: Int32Array;
  /** RoI k's y samples are y[yStart[k] .. yStart[k] + outH·gh[k]), bin-major; likewise x. */
  yStart: Int32Array;
  xStart: Int32Array;
  y: AxisSamples;
  x: AxisSamples;
}

export const outputDims = (o: RoiAlignOptions): [number, number] =>
  typeof o.outputSize === 'number' ? [o.outputSize, o.outputSize] : [o.outputSize[0], o.outputSize[1]];

const newSamples = (n: number): AxisSamples => ({
  lo: new Int32Array(n),
  hi: new Int32Array(n),
  wLo: new Float32Array(n),
  wHi: new Float32Array(n),
});

function sampleAxis(
  start: number,
  bin: number,
  grid: number,
  pooled: number,
  size: number,
  s: AxisSamples,
  at: number,
): void {
  for (let p = 0; p < pooled; p++) {
    const base = f32(start + f32(p * bin));
    for (let i = 0; i < grid; i++) {
      const j = at + p * grid + i;
      let v = f32(base + f32(f32((i + 0.5) * bin) / grid));
      if (v < -1 || v > size) {
        s.lo[j] = s.hi[j] = -1;
        s.wLo[j] = s.wHi[j] = 0;
        continue;
      }
      if (v <= 0) v = 0;
      let lo = Math.trunc(v);
      let hi: number;
      if (lo >= size - 1) {
        hi = lo = size - 1;
        v = lo;
      } else {
        hi = lo + 1;
      }
      const l = f32(v - lo);
      s.lo[j] = lo;
      s.hi[j] = hi;
      s.wLo[j] = f32(1 - l);
      s.wHi[j] = l;
    }
  }
}

/**
 * Samples of every RoI. `featureShape` is NHWC, `boxes` [K, 4] (x1, y1, x2, y2) in image coordinates,
 * `batchIndex` [K] the image of each box (default 0).
 */
export function sampleRois(
  featureShape: readonly [number, number, number, number],
  boxes: Float32Array,
  options: RoiAlignOptions,
  batchIndex?: ArrayLike<number>,
): RoiSamples {
  const [n, h, w] = featureShape;
  const [outH, outW] = outputDims(options);
  const k = boxes.length / 4;
  const scale = f32(options.spatialScale);
  const offset = options.aligned ? 0.5 : 0;
  const batch = new Int32Array(k);
  const gh = new Int32Array(k), gw = new Int32Array(k);
  const yStart = new Int32Array(k + 1), xStart = new Int32Array(k + 1);
  const startY = new Float32Array(k), startX = new Float32Array(k);
  const binH = new Float32Array(k), binW = new Float32Array(k);
  for (let r = 0; r < k; r++) {
    const b = batchIndex ? batchIndex[r]! : 0;
    if (!(b >= 0 && b < n)) throw new Error(`roiAlign: batch index ${b} outside [0, ${n})`);
    batch[r] = b;
    startX[r] = f32(f32(boxes[r * 4]! * scale) - offset);
    startY[r] = f32(f32(boxes[r * 4 + 1]! * scale) - offset);
    let roiW = f32(f32(f32(boxes[r * 4 + 2]! * scale) - offset) - startX[r]!);
    let roiH = f32(f32(f32(boxes[r * 4 + 3]! * scale) - offset) - startY[r]!);
    if (!options.aligned) {
      roiW = Math.max(roiW, 1);
      roiH = Math.max(roiH, 1);
    }
    binH[r] = f32(roiH / outH);
    binW[r] = f32(roiW / outW);
    const sr = options.samplingRatio;
    gh[r] = Math.max(sr > 0 ? sr : Math.ceil(binH[r]!), 0);
    gw[r] = Math.max(sr > 0 ? sr : Math.ceil(binW[r]!), 0);
    yStart[r + 1] = yStart[r]! + outH * gh[r]!;
    xStart[r + 1] = xStart[r]! + outW * gw[r]!;
  }
  const y = newSamples(yStart[k]!);
  const x = newSamples(xStart[k]!);
  for (let r = 0; r < k; r++) {
    sampleAxis(startY[r]!, binH[r]!, gh[r]!, outH, h, y, yStart[r]!);
    sampleAxis(startX[r]!, binW[r]!, gw[r]!, outW, w, x, xStart[r]!);
  }
  return { numRois: k, outH, outW, batch, gh, gw, yStart, xStart, y, x };
}
