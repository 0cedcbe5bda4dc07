// The five Mask R-CNN losses as torchvision 0.14 defines them. Sampling is expressed as 0/1 weights over
// the full prediction tensors instead of gathers: the sums are the same, and the gradient needs only
// elementwise kernels (no gather gradient, which some backends lack).
import * as tf from '@tensorflow/tfjs-core';

export const LOSS_NAMES = ['loss_objectness', 'loss_rpn_box_reg', 'loss_classifier', 'loss_box_reg', 'loss_mask'] as const;
export type LossName = (typeof LOSS_NAMES)[number];

/** Elementwise binary cross-entropy with logits, in the overflow-safe form max(x,0) − x·y + log(1+e^−|x|). */
export function bceWithLogits(logits: tf.Tensor, targets: tf.Tensor): tf.Tensor {
  return tf.add(tf.sub(tf.relu(logits), tf.mul(logits, targets)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
}

/**
 * Elementwise smooth-L1 of a difference: 0.5·d²/β below β, |d| − 0.5·β above (torch's convention).
 * Written as 0.5·min(|d|,β)²/β + (|d| − min(|d|,β)) so that no comparison op sits on the gradient path
 * (tfjs has no gradient for Less).
 */
export function smoothL1(diff: tf.Tensor, beta: number): tf.Tensor {
  const n = tf.abs(diff);
  if (beta === 0) return n;
  const small = tf.minimum(n, beta);
  return tf.add(tf.div(tf.mul(0.5, tf.square(small)), beta), tf.sub(n, small));
}

/**
 * Regression targets with the rows that no loss reads set to 0: those can be ±inf (torchvision encodes
 * background proposals of a GT-free image against a zero box) and inf·0 would poison the masked sum.
 */
function keepRows(regression: Float32Array, rows: Iterable<number>): Float32Array {
  const out = new Float32Array(regression.length);
  for (const r of rows) out.set(regression.subarray(r * 4, r * 4 + 4), r * 4);
  return out;
}

/** 1 at each index in `sets`, 0 elsewhere, as a float mask of length n. */
function indicator(n: number, ...sets: ArrayLike<number>[]): Float32Array {
  const m = new Float32Array(n);
  for (const s of sets) for (let i = 0; i < s.length; i++) m[s[i]!] = 1;
  return m;
}

export interface RpnLossInput {
  /** [A] objectness logits over all images and levels. */
  objectness: tf.Tensor1D;
  /** [A, 4] predicted deltas. */
  deltas: tf.Tensor2D;
  /** [A] 1 / 0 / -1 anchor labels. */
  labels: ArrayLike<number>;
  /** [A, 4] regression targets (read at sampled positives only). */
  regression: Float32Array;
  /** Sampled anchors, indices into the A axis. */
  pos: ArrayLike<number>;
  neg: ArrayLike<number>;
}

/**
 * loss_objectness: mean BCE over the sampled anchors. loss_rpn_box_reg: smooth-L1 summed over sampled
 * positives, divided by the number of sampled anchors (positives + negatives).
 */
export function rpnLosses(x: RpnLossInput, beta: number): { loss_objectness: tf.Scalar; loss_rpn_box_reg: tf.Scalar } {
  const a = x.objectness.shape[0];
  const sampled = x.pos.length + x.neg.length;
  if (sampled === 0) throw new Error('rpnLosses: no sampled anchors');
  const w = tf.tensor1d(indicator(a, x.pos, x.neg));
  const y = tf.tensor1d(Float32Array.from({ length: a }, (_, i) => (x.labels[i] === 1 ? 1 : 0)));
  const posW = tf.tensor2d(indicator(a, x.pos), [a, 1]);
  const diff = tf.sub(x.deltas, tf.tensor2d(keepRows(x.regression, Array.from(x.pos)), [a, 4]));
  return {
    loss_objectness: tf.div(tf.sum(tf.mul(bceWithLogits(x.objectness, y), w)), sampled) as tf.Scalar,
    loss_rpn_box_reg: tf.div(tf.sum(tf.mul(smoothL1(diff, beta), posW)), sampled) as tf.Scalar,
  };
}

export interface BoxLossInput {
  /** [R, C] class logits of the sampled proposals. */
  classLogits: tf.Tensor2D;
  /** [R, C·4] per-class deltas. */
  boxDeltas: tf.Tensor2D;
  /** [R] sampled labels (0 background). */
  labels: Int32Array;
  /** [R, 4] targets w.r.t. the matched ground truth. */
  regression: Float32Array;
}

/**
 * fastrcnn_loss: loss_classifier is the mean cross-entropy; loss_box_reg is smooth-L1 on the
 * ground-truth class's deltas of the positives, divided by all R sampled proposals.
 */
export function fastRcnnLosses(x: BoxLossInput, beta: number): { loss_classifier: tf.Scalar; loss_box_reg: tf.Scalar } {
  const [r, c] = x.classLogits.shape;
  if (r === 0) throw new Error('fastRcnnLosses: no sampled proposals');
  const onehot = tf.oneHot(tf.tensor1d(x.labels, 'int32'), c);
  const ce = tf.neg(tf.sum(tf.mul(tf.logSoftmax(x.classLogits), onehot)));
  // the GT class channel of positives only: background rows get an all-zero selector
  const sel = new Float32Array(r * c);
  x.labels.forEach((l, i) => { if (l > 0) sel[i * c + l] = 1; });
  const positives = [...x.labels.keys()].filter((i) => x.labels[i]! > 0);
  const diff = tf.sub(tf.reshape(x.boxDeltas, [r, c, 4]), tf.tensor3d(keepRows(x.regression, positives), [r, 1, 4]));
  const box = tf.sum(tf.mul(smoothL1(diff, beta), tf.tensor3d(sel, [r, c, 1])));
  return { loss_classifier: tf.div(ce, r) as tf.Scalar, loss_box_reg: tf.div(box, r) as tf.Scalar };
}

/**
 * maskrcnn_loss: mean BCE between the GT class channel of `maskLogits` [P, M, M, C] and the projected
 * GT masks [P, M, M]. With no positives there is nothing to average; torchvision then returns
 * mask_logits.sum()·0, so the caller passes `zeroOf` (any tensor on the graph) for a zero with gradients.
 */
export function maskLoss(maskLogits: tf.Tensor4D | null, labels: Int32Array, targets: Float32Array, zeroOf: tf.Tensor): tf.Scalar {
  if (!maskLogits || labels.length === 0) return tf.mul(tf.sum(zeroOf), 0) as tf.Scalar;
  const [p, m, m2, c] = maskLogits.shape;
  const picked = tf.sum(tf.mul(maskLogits, tf.reshape(tf.oneHot(tf.tensor1d(labels, 'int32'), c), [p, 1, 1, c])), 3);
  return tf.mean(bceWithLogits(picked, tf.tensor3d(targets, [p, m, m2]))) as tf.Scalar;
}
