// torchvision MultiScaleRoIAlign (0.14): each box is pooled from one FPN level chosen by the FPN paper's
// heuristic, and results come back in the original box order. Scalar arithmetic mirrors torchvision's
// float32 tensors (box areas, log2, the 1e-6 epsilon) so boxes on a level boundary land on the same level.
import * as tf from '@tensorflow/tfjs-core';
import { roundHalfEven } from './anchors';
import { roiAlign, roiAlignLevels } from './roi-align';
import { roiAlignGather } from './roi-align-gather';

const f32 = Math.fround;

export interface MultiScaleRoiAlignOptions {
  outputSize: number | readonly [number, number];
  samplingRatio: number;
  canonicalScale?: number;
  canonicalLevel?: number;
  eps?: number;
  /** 'loops' (default): roi-align.ts; 'gather': the stock-ops variant in roi-align-gather.ts. */
  impl?: 'loops' | 'gather';
}

export interface LevelSetup {
  /** Spatial scale of each feature level (1 / stride), powers of two. */
  scales: number[];
  /** FPN levels of the first and last feature map (e.g. 2 and 5 for strides 4..32). */
  kMin: number;
  kMax: number;
}

/** 2^round(log2(featureHeight / imageHeight)) — torchvision infers from the first (height) axis only. */
export function inferScale(featureSize: readonly [number, number], originalSize: readonly [number, number]): number {
  const approx = f32(featureSize[0] / originalSize[0]);
  return 2 ** roundHalfEven(f32(Math.log2(approx)));
}

/**
 * Scales and level range from the feature sizes and the (unpadded, resized) image sizes of the batch;
 * torchvision compares against the largest height and width over the batch.
 */
export function setupScales(
  featureSizes: readonly (readonly [number, number])[],
  imageShapes: readonly (readonly [number, number])[],
): LevelSetup {
  if (imageShapes.length === 0) throw new Error('setupScales: no image shapes');
  const maxH = Math.max(...imageShapes.map((s) => s[0]));
  const maxW = Math.max(...imageShapes.map((s) => s[1]));
  const scales = featureSizes.map((f) => inferScale(f, [maxH, maxW]));
  const kMin = Math.trunc(-Math.log2(f32(scales[0]!)));
  const kMax = Math.trunc(-Math.log2(f32(scales[scales.length - 1]!)));
  return { scales, kMin, kMax };
}

/**
 * Level index (0 = kMin) of each box [K, 4]:
 * clamp(floor(canonicalLevel + log2(sqrt(area) / canonicalScale) + eps), kMin, kMax) - kMin.
 */
export function mapLevels(
  boxes: Float32Array,
  kMin: number,
  kMax: number,
  canonicalScale = 224,
  canonicalLevel = 4,
  eps = 1e-6,
): Int32Array {
  const n = boxes.length / 4;
  const out = new Int32Array(n);
  const eps32 = f32(eps);
  for (let i = 0; i < n; i++) {
    const area = f32(f32(boxes[i * 4 + 2]! - boxes[i * 4]!) * f32(boxes[i * 4 + 3]! - boxes[i * 4 + 1]!));
    const s = f32(Math.sqrt(area));
    const lvl = Math.floor(f32(f32(canonicalLevel + f32(Math.log2(f32(s / canonicalScale)))) + eps32));
    out[i] = Math.min(Math.max(lvl, kMin), kMax) - kMin;
  }
  return out;
}

/**
 * Pools every box from its FPN level. `features` are NHWC levels (finest first, all with the same
 * batch and channels), `boxesPerImage[i]` [K_i, 4] in the coordinates of the resized image i,
 * `imageShapes[i]` its unpadded (height, width). Returns [sum K_i, outH, outW, C] in box order.
 */
export function multiScaleRoiAlign(
  features: readonly tf.Tensor4D[],
  boxesPerImage: readonly Float32Array[],
  imageShapes: readonly (readonly [number, number])[],
  options: MultiScaleRoiAlignOptions,
): tf.Tensor4D {
  const total = boxesPerImage.reduce((n, b) => n + b.length / 4, 0);
  const boxes = new Float32Array(total * 4);
  const batchIndex = new Int32Array(total);
  let o = 0;
  boxesPerImage.forEach((b, i) => {
    boxes.set(b, o * 4);
    batchIndex.fill(i, o, o + b.length / 4);
    o += b.length / 4;
  });
  const { scales, kMin, kMax } = setupScales(
    features.map((f) => [f.shape[1], f.shape[2]] as [number, number]),
    imageShapes,
  );
  const pool = options.impl === 'gather' ? roiAlignGather : roiAlign;
  const align = (level: number, sel: Float32Array, idx: ArrayLike<number>) =>
    pool(features[level]!, sel, { ...options, spatialScale: scales[level]! }, idx);
  if (features.length === 1) return align(0, boxes, batchIndex);

  const levels = mapLevels(boxes, kMin, kMax, options.canonicalScale, options.canonicalLevel, options.eps);
  if (options.impl !== 'gather') return roiAlignLevels(features, boxes, levels, scales, options, batchIndex);
  return tf.tidy(() => {
    const parts: tf.Tensor4D[] = [];
    const order = new Int32Array(total); // position in the concatenated result -> original box
    let filled = 0;
    for (let level = 0; level < features.length; level++) {
      const members: number[] = [];
      for (let i = 0; i < total; i++) if (levels[i] === level) members.push(i);
      if (members.length === 0) continue;
      const sel = new Float32Array(members.length * 4);
      const idx = new Int32Array(members.length);
      members.forEach((m, j) => {
        sel.set(boxes.subarray(m * 4, m * 4 + 4), j * 4);
        idx[j] = batchIndex[m]!;
        order[filled + j] = m;
      });
      filled += members.length;
      parts.push(align(level, sel, idx));
    }
    if (parts.length === 0) return align(0, boxes, batchIndex); // no boxes: an empty [0, outH, outW, C]
    const stacked = parts.length === 1 ? parts[0]! : tf.concat(parts, 0);
    const inverse = new Int32Array(total);
    let identity = true;
    for (let j = 0; j < total; j++) {
      inverse[order[j]!] = j;
      identity &&= order[j] === j;
    }
    return identity ? stacked : tf.gather(stacked, tf.tensor1d(inverse, 'int32'));
  });
}
