// torchvision.ops.roi_align (0.14, aligned=false by default) on NHWC features, differentiable w.r.t.
// the features through tf.customGrad. Forward and backward are plain loops over the CPU copy of the
// features, in torchvision's order (per bin: sum over gh x gw samples of the 4 bilinear taps, then / count;
// backward scatters dy / count with the same weights). This works on every backend and does not need
// gather's gradient kernel; on cpu/wasm it is far faster than composing stock ops (see
// roi-align-gather.ts for that portable variant). On a GPU backend it costs one read-back per call.
import * as tf from '@tensorflow/tfjs-core';
import { sampleRois, type RoiAlignOptions, type RoiSamples } from './roi-align-sampling';

export type { RoiAlignOptions } from './roi-align-sampling';

type Shape4 = readonly [number, number, number, number];

/** Every valid sample as 4 NHWC corner offsets (channel 0) and weights, with its output bin offset. */
export interface RoiTaps {
  count: number;
  /** [count] offset of the sample's output bin in [K, outH, outW, C]. */
  bin: Int32Array;
  /** [count * 4] corner offsets (top-left, top-right, bottom-left, bottom-right). */
  pos: Int32Array;
  /** [count * 4] bilinear weights, products formed in float32 as torchvision does. */
  w: Float32Array;
}

/** Flattens the samples into a tap list shared by the forward and backward loops. */
export function buildTaps(shape: Shape4, s: RoiSamples): RoiTaps {
  const [, h, w, c] = shape;
  const { y, x, outH, outW } = s;
  let bound = 0;
  for (let r = 0; r < s.numRois; r++) bound += outH * outW * s.gh[r]! * s.gw[r]!;
  const bin = new Int32Array(bound), pos = new Int32Array(bound * 4), wt = new Float32Array(bound * 4);
  let t = 0;
  for (let r = 0; r < s.numRois; r++) {
    const gh = s.gh[r]!, gw = s.gw[r]!;
    const imageBase = s.batch[r]! * h;
    for (let ph = 0; ph < outH; ph++) {
      for (let pw = 0; pw < outW; pw++) {
        const out = ((r * outH + ph) * outW + pw) * c;
        for (let iy = 0; iy < gh; iy++) {
          const jy = s.yStart[r]! + ph * gh + iy;
          if (y.lo[jy]! < 0) continue;
          const rowLo = (imageBase + y.lo[jy]!) * w, rowHi = (imageBase + y.hi[jy]!) * w;
          const hy = y.wLo[jy]!, ly = y.wHi[jy]!;
          for (let ix = 0; ix < gw; ix++) {
            const jx = s.xStart[r]! + pw * gw + ix;
            if (x.lo[jx]! < 0) continue;
            const hx = x.wLo[jx]!, lx = x.wHi[jx]!;
            bin[t] = out;
            pos[4 * t] = (rowLo + x.lo[jx]!) * c;
            pos[4 * t + 1] = (rowLo + x.hi[jx]!) * c;
            pos[4 * t + 2] = (rowHi + x.lo[jx]!) * c;
            pos[4 * t + 3] = (rowHi + x.hi[jx]!) * c;
            wt[4 * t] = hy * hx;
            wt[4 * t + 1] = hy * lx;
            wt[4 * t + 2] = ly * hx;
            wt[4 * t + 3] = ly * lx;
            t++;
          }
        }
      }
    }
  }
  return { count: t, bin, pos, w: wt };
}

/** Forward pass on NHWC data: returns [K, outH, outW, C]. */
export function roiAlignForward(data: Float32Array, shape: Shape4, s: RoiSamples, taps: RoiTaps): Float32Array {
  const c = shape[3];
  const out = new Float32Array(s.numRois * s.outH * s.outW * c);
  const { bin, pos, w } = taps;
  for (let t = 0; t < taps.count; t++) {
    const o = bin[t]!;
    const p1 = pos[4 * t]!, p2 = pos[4 * t + 1]!, p3 = pos[4 * t + 2]!, p4 = pos[4 * t + 3]!;
    const w1 = w[4 * t]!, w2 = w[4 * t + 1]!, w3 = w[4 * t + 2]!, w4 = w[4 * t + 3]!;
    for (let i = 0; i < c; i++) {
      out[o + i] = out[o + i]! + (w1 * data[p1 + i]! + w2 * data[p2 + i]! + w3 * data[p3 + i]! + w4 * data[p4 + i]!);
    }
  }
  const per = s.outH * s.outW * c;
  for (let r = 0; r < s.numRois; r++) {
    const count = Math.max(s.gh[r]! * s.gw[r]!, 1);
    for (let i = r * per; i < (r + 1) * per; i++) out[i] = out[i]! / count;
  }
  return out;
}

/** Gradient w.r.t. the NHWC features of `sum(out * dy)`, dy [K, outH, outW, C]. */
export function roiAlignBackward(dy: Float32Array, shape: Shape4, s: RoiSamples, taps: RoiTaps): Float32Array {
  const c = shape[3];
  const grad = new Float32Array(shape[0] * shape[1] * shape[2] * c);
  const scaled = new Float32Array(dy.length);
  const per = s.outH * s.outW * c;
  for (let r = 0; r < s.numRois; r++) {
    const count = Math.max(s.gh[r]! * s.gw[r]!, 1);
    for (let i = r * per; i < (r + 1) * per; i++) scaled[i] = dy[i]! / count;
  }
  const { bin, pos, w } = taps;
  for (let t = 0; t < taps.count; t++) {
    const o = bin[t]!;
    const p1 = pos[4 * t]!, p2 = pos[4 * t + 1]!, p3 = pos[4 * t + 2]!, p4 = pos[4 * t + 3]!;
    const w1 = w[4 * t]!, w2 = w[4 * t + 1]!, w3 = w[4 * t + 2]!, w4 = w[4 * t + 3]!;
    for (let i = 0; i < c; i++) {
      const g = scaled[o + i]!;
      grad[p1 + i] = grad[p1 + i]! + w1 * g;
      grad[p2 + i] = grad[p2 + i]! + w2 * g;
      grad[p3 + i] = grad[p3 + i]! + w3 * g;
      grad[p4 + i] = grad[p4 + i]! + w4 * g;
    }
  }
  return grad;
}

/**
 * torchvision.ops.roi_align on NHWC features [N, H, W, C]. `boxes` [K, 4] (x1, y1, x2, y2) in image
 * coordinates, `batchIndex` [K] the image of each box (default 0). Returns [K, outH, outW, C];
 * differentiable w.r.t. `features`.
 */
export function roiAlign(
  features: tf.Tensor4D,
  boxes: Float32Array,
  options: RoiAlignOptions,
  batchIndex?: ArrayLike<number>,
): tf.Tensor4D {
  const shape = features.shape;
  const s = sampleRois(shape, boxes, options, batchIndex);
  const taps = buildTaps(shape, s);
  const outShape: [number, number, number, number] = [s.numRois, s.outH, s.outW, shape[3]];
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
    value: tf.tensor4d(roiAlignForward((args[0] as tf.Tensor).dataSync() as Float32Array, shape, s, taps), outShape),
    gradFunc: (dy: tf.Tensor) => tf.tensor4d(roiAlignBackward(dy.dataSync() as Float32Array, shape, s, taps), shape),
  }));
  return op(features) as tf.Tensor4D;
}

/**
 * RoIAlign where box i is pooled from `features[level[i]]` with `scales[level[i]]`, output in box order:
 * one differentiable op over all levels (no gather/concat to reorder, so no gather gradient needed).
 */
export function roiAlignLevels(
  features: readonly tf.Tensor4D[],
  boxes: Float32Array,
  level: Int32Array,
  scales: readonly number[],
  options: Omit<RoiAlignOptions, 'spatialScale'>,
  batchIndex?: ArrayLike<number>,
): tf.Tensor4D {
  const total = boxes.length / 4;
  const c = features[0]!.shape[3];
  const members: Int32Array[] = features.map((_, l) => {
    const idx: number[] = [];
    for (let i = 0; i < total; i++) if (level[i] === l) idx.push(i);
    return Int32Array.from(idx);
  });
  const samples = features.map((f, l) => {
    const m = members[l]!;
    const sel = new Float32Array(m.length * 4);
    const bi = new Int32Array(m.length);
    m.forEach((i, j) => {
      sel.set(boxes.subarray(i * 4, i * 4 + 4), j * 4);
      bi[j] = batchIndex ? batchIndex[i]! : 0;
    });
    return sampleRois(f.shape, sel, { ...options, spatialScale: scales[l]! }, bi);
  });
  const taps = samples.map((s, l) => buildTaps(features[l]!.shape, s));
  const s0 = samples[0]!;
  const bin = s0.outH * s0.outW * c;
  const outShape: [number, number, number, number] = [total, s0.outH, s0.outW, c];
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const xs = args.slice(0, features.length) as tf.Tensor4D[];
    const out = new Float32Array(total * bin);
    xs.forEach((x, l) => {
      if (members[l]!.length === 0) return;
      const part = roiAlignForward(x.dataSync() as Float32Array, x.shape, samples[l]!, taps[l]!);
      members[l]!.forEach((i, j) => out.set(part.subarray(j * bin, (j + 1) * bin), i * bin));
    });
    return {
      value: tf.tensor4d(out, outShape),
      gradFunc: (dy: tf.Tensor) => {
        const d = dy.dataSync() as Float32Array;
        return xs.map((x, l) => {
          const m = members[l]!;
          const part = new Float32Array(m.length * bin);
          m.forEach((i, j) => part.set(d.subarray(i * bin, (i + 1) * bin), j * bin));
          return tf.tensor4d(roiAlignBackward(part, x.shape, samples[l]!, taps[l]!), x.shape);
        });
      },
    };
  });
  return op(...features) as tf.Tensor4D;
}
