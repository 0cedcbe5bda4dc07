// RoIAlign from stock tfjs ops only (gather + batched matmul), so autodiff supplies the gradient on any
// backend that has gather's gradient (UnsortedSegmentSum). Kept as the portable reference and for
// backends where reading features back to the CPU is costly; on cpu/wasm `roiAlign` (roi-align.ts) is
// much faster (measured on this machine, wasm, 512 RoIs 7x7x256 from 800x800 FPN maps: ~6 s here,
// dominated by wasm's GatherV2 and small-batch BatchMatMul).
//
// The samples' weights factor into y and x parts (a sample is dropped when y OR x is out of range: a
// product of two indicators), so for RoI k:  out[k] = Wy[k] · F[b_k][rows_k, cols_k] · Wx[k]^T,
// where rows_k / cols_k are the distinct feature rows / columns its samples touch.
import * as tf from '@tensorflow/tfjs-core';
import { sampleRois, type AxisSamples, type RoiAlignOptions, type RoiSamples } from './roi-align-sampling';

export interface RoiAlignPlan {
  numRois: number;
  outH: number;
  outW: number;
  /** Distinct rows / columns gathered per RoI (the maximum over RoIs; shorter RoIs are zero-weighted). */
  rows: number;
  cols: number;
  /** [K * rows * cols] indices into the features flattened to [N * H * W, C]. */
  gatherIndex: Int32Array;
  /** [K, outH, rows] y weights (bilinear weight / gh, summed over samples). */
  wy: Float32Array;
  /** [K * outH, outW, cols] x weights (bilinear weight / gw), repeated for each output row. */
  wx: Float32Array;
}

/** Gives each distinct feature line touched by samples [from, to) a slot; returns the slot count. */
function assignSlots(s: AxisSamples, from: number, to: number, slotOf: Int32Array, lines: Int32Array): number {
  let count = 0;
  for (let j = from; j < to; j++) {
    const lo = s.lo[j]!;
    if (lo < 0) continue;
    if (slotOf[lo]! < 0) {
      slotOf[lo] = count;
      lines[count++] = lo;
    }
    const hi = s.hi[j]!;
    if (slotOf[hi]! < 0) {
      slotOf[hi] = count;
      lines[count++] = hi;
    }
  }
  return count;
}

/** Sums each pooled bin's sample weights (divided by the grid size) into its line slots. */
function binWeights(
  s: AxisSamples,
  start: number,
  grid: number,
  pooled: number,
  slotOf: Int32Array,
  out: Float32Array,
  at: number,
  stride: number,
): void {
  for (let p = 0; p < pooled; p++) {
    for (let i = 0; i < grid; i++) {
      const j = start + p * grid + i;
      if (s.lo[j]! < 0) continue;
      const a = at + p * stride + slotOf[s.lo[j]!]!;
      out[a] = out[a]! + s.wLo[j]! / grid;
      const b = at + p * stride + slotOf[s.hi[j]!]!;
      out[b] = out[b]! + s.wHi[j]! / grid;
    }
  }
}

/** Gather indices and separable weights for {@link applyRoiAlignPlan}. */
export function planFromSamples(featureShape: readonly [number, number, number, number], s: RoiSamples): RoiAlignPlan {
  const [, h, w] = featureShape;
  const { numRois: k, outH, outW } = s;
  const slotY = new Int32Array(h).fill(-1), slotX = new Int32Array(w).fill(-1);
  const linesY = new Int32Array(h), linesX = new Int32Array(w);
  const counts = new Int32Array(2 * k);
  for (let r = 0; r < k; r++) {
    counts[2 * r] = assignSlots(s.y, s.yStart[r]!, s.yStart[r + 1]!, slotY, linesY);
    counts[2 * r + 1] = assignSlots(s.x, s.xStart[r]!, s.xStart[r + 1]!, slotX, linesX);
    for (let j = 0; j < counts[2 * r]!; j++) slotY[linesY[j]!] = -1;
    for (let j = 0; j < counts[2 * r + 1]!; j++) slotX[linesX[j]!] = -1;
  }
  let rows = 1, cols = 1;
  for (let r = 0; r < k; r++) {
    rows = Math.max(rows, counts[2 * r]!);
    cols = Math.max(cols, counts[2 * r + 1]!);
  }
  const gatherIndex = new Int32Array(k * rows * cols);
  const wy = new Float32Array(k * outH * rows);
  const wx = new Float32Array(k * outH * outW * cols);
  for (let r = 0; r < k; r++) {
    const ny = assignSlots(s.y, s.yStart[r]!, s.yStart[r + 1]!, slotY, linesY);
    const nx = assignSlots(s.x, s.xStart[r]!, s.xStart[r + 1]!, slotX, linesX);
    const base = s.batch[r]! * h * w;
    gatherIndex.fill(base, r * rows * cols, (r + 1) * rows * cols);
    for (let a = 0; a < ny; a++) {
      for (let c = 0; c < nx; c++) gatherIndex[(r * rows + a) * cols + c] = base + linesY[a]! * w + linesX[c]!;
    }
    if (ny > 0 && nx > 0) {
      binWeights(s.y, s.yStart[r]!, s.gh[r]!, outH, slotY, wy, r * outH * rows, rows);
      const first = r * outH * outW * cols;
      binWeights(s.x, s.xStart[r]!, s.gw[r]!, outW, slotX, wx, first, cols);
      // the same x weights serve every output row
      const block = outW * cols;
      for (let p = 1; p < outH; p++) wx.copyWithin(first + p * block, first, first + block);
    }
    for (let j = 0; j < ny; j++) slotY[linesY[j]!] = -1;
    for (let j = 0; j < nx; j++) slotX[linesX[j]!] = -1;
  }
  return { numRois: k, outH, outW, rows, cols, gatherIndex, wy, wx };
}

/** CPU part: which feature pixels each RoI reads and with which weights. */
export function planRoiAlign(
  featureShape: readonly [number, number, number, number],
  boxes: Float32Array,
  options: RoiAlignOptions,
  batchIndex?: ArrayLike<number>,
): RoiAlignPlan {
  return planFromSamples(featureShape, sampleRois(featureShape, boxes, options, batchIndex));
}

/** Tensor part for a precomputed plan: features [N, H, W, C] -> [K, outH, outW, C]. */
export function applyRoiAlignPlan(features: tf.Tensor4D, plan: RoiAlignPlan): tf.Tensor4D {
  const [n, h, w, c] = features.shape;
  const { numRois: k, outH, outW, rows, cols } = plan;
  if (k === 0) return tf.zeros([0, outH, outW, c]);
  return tf.tidy(() => {
    const flat = tf.reshape(features, [n * h * w, c]);
    const crop = tf.reshape(tf.gather(flat, tf.tensor1d(plan.gatherIndex, 'int32')), [k, rows, cols * c]);
    const alongY = tf.matMul(tf.tensor3d(plan.wy, [k, outH, rows]), crop);
    const out = tf.matMul(tf.tensor3d(plan.wx, [k * outH, outW, cols]), tf.reshape(alongY, [k * outH, cols, c]));
    return tf.reshape(out, [k, outH, outW, c]);
  });
}

/** torchvision.ops.roi_align from gather + matmul (see the file comment); same contract as `roiAlign`. */
export function roiAlignGather(
  features: tf.Tensor4D,
  boxes: Float32Array,
  options: RoiAlignOptions,
  batchIndex?: ArrayLike<number>,
): tf.Tensor4D {
  return applyRoiAlignPlan(features, planRoiAlign(features.shape, boxes, options, batchIndex));
}
