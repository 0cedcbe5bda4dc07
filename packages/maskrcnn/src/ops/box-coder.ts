// torchvision BoxCoder (0.14): widths are x2 - x1 with no "+1" (TO_REMOVE is gone from the coder), and
// dw/dh are clamped from above at bbox_xform_clip before exp. Typed-array versions emulate float32 so
// that they match torch to the last bit or so; the tensor decode is for keeping work on the backend.
import * as tf from '@tensorflow/tfjs-core';

const f32 = Math.fround;

export type BoxWeights = readonly [number, number, number, number];
export const RPN_BOX_WEIGHTS: BoxWeights = [1, 1, 1, 1];
export const ROI_BOX_WEIGHTS: BoxWeights = [10, 10, 5, 5];
export const BBOX_XFORM_CLIP = Math.log(1000 / 16);

/**
 * Regression targets of `reference` (e.g. matched ground truth) relative to `proposals` (anchors or
 * proposals); both [N, 4] row-major (x1, y1, x2, y2). Returns [N, 4] (dx, dy, dw, dh).
 */
export function encodeBoxes(reference: Float32Array, proposals: Float32Array, weights: BoxWeights): Float32Array {
  const n = proposals.length / 4;
  if (reference.length !== proposals.length) throw new Error('encodeBoxes: reference/proposals length mismatch');
  const [wx, wy, ww, wh] = weights.map(f32) as unknown as BoxWeights;
  const out = new Float32Array(n * 4);
  for (let i = 0; i < n; i++) {
    const o = i * 4;
    const exW = f32(proposals[o + 2]! - proposals[o]!);
    const exH = f32(proposals[o + 3]! - proposals[o + 1]!);
    const exX = f32(proposals[o]! + f32(0.5 * exW));
    const exY = f32(proposals[o + 1]! + f32(0.5 * exH));
    const gtW = f32(reference[o + 2]! - reference[o]!);
    const gtH = f32(reference[o + 3]! - reference[o + 1]!);
    const gtX = f32(reference[o]! + f32(0.5 * gtW));
    const gtY = f32(reference[o + 1]! + f32(0.5 * gtH));
    out[o] = f32(f32(wx * f32(gtX - exX)) / exW);
    out[o + 1] = f32(f32(wy * f32(gtY - exY)) / exH);
    out[o + 2] = f32(ww * f32(Math.log(f32(gtW / exW))));
    out[o + 3] = f32(wh * f32(Math.log(f32(gtH / exH))));
  }
  return out;
}

/**
 * Applies deltas to boxes. `relCodes` is [N, K * 4] (K boxes per reference box, e.g. one per class),
 * `boxes` is [N, 4]; the result is [N, K, 4] row-major.
 */
export function decodeBoxes(
  relCodes: Float32Array,
  boxes: Float32Array,
  weights: BoxWeights,
  clip: number = BBOX_XFORM_CLIP,
): Float32Array {
  const n = boxes.length / 4;
  if (n === 0) return new Float32Array(0);
  const k = relCodes.length / (n * 4);
  if (!Number.isInteger(k)) throw new Error('decodeBoxes: relCodes is not [N, K*4]');
  const [wx, wy, ww, wh] = weights.map(f32) as unknown as BoxWeights;
  const clip32 = f32(clip);
  const out = new Float32Array(relCodes.length);
  for (let i = 0; i < n; i++) {
    const b = i * 4;
    const w = f32(boxes[b + 2]! - boxes[b]!);
    const h = f32(boxes[b + 3]! - boxes[b + 1]!);
    const cx = f32(boxes[b]! + f32(0.5 * w));
    const cy = f32(boxes[b + 1]! + f32(0.5 * h));
    for (let j = 0; j < k; j++) {
      const o = (i * k + j) * 4;
      const dx = f32(relCodes[o]! / wx);
      const dy = f32(relCodes[o + 1]! / wy);
      const dw = Math.min(f32(relCodes[o + 2]! / ww), clip32);
      const dh = Math.min(f32(relCodes[o + 3]! / wh), clip32);
      const px = f32(f32(dx * w) + cx);
      const py = f32(f32(dy * h) + cy);
      const hw = f32(0.5 * f32(f32(Math.exp(dw)) * w));
      const hh = f32(0.5 * f32(f32(Math.exp(dh)) * h));
      out[o] = px - hw;
      out[o + 1] = py - hh;
      out[o + 2] = px + hw;
      out[o + 3] = py + hh;
    }
  }
  return out;
}

/** Tensor version of {@link decodeBoxes}: relCodes [N, K*4], boxes [N, 4] -> [N, K, 4]. */
export function decodeBoxesTensor(
  relCodes: tf.Tensor2D,
  boxes: tf.Tensor2D,
  weights: BoxWeights,
  clip: number = BBOX_XFORM_CLIP,
): tf.Tensor3D {
  return tf.tidy(() => {
    const n = boxes.shape[0];
    const k = relCodes.shape[1] / 4;
    const codes = tf.reshape(relCodes, [n, k, 4]);
    const [x1, y1, x2, y2] = tf.split(tf.reshape(boxes, [n, 1, 4]), 4, 2) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
    const w = tf.sub(x2, x1);
    const h = tf.sub(y2, y1);
    const cx = tf.add(x1, tf.mul(0.5, w));
    const cy = tf.add(y1, tf.mul(0.5, h));
    const [rx, ry, rw, rh] = tf.split(codes, 4, 2) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
    const dw = tf.minimum(tf.div(rw, weights[2]), clip);
    const dh = tf.minimum(tf.div(rh, weights[3]), clip);
    const px = tf.add(tf.mul(tf.div(rx, weights[0]), w), cx);
    const py = tf.add(tf.mul(tf.div(ry, weights[1]), h), cy);
    const hw = tf.mul(0.5, tf.mul(tf.exp(dw), w));
    const hh = tf.mul(0.5, tf.mul(tf.exp(dh), h));
    return tf.concat([tf.sub(px, hw), tf.sub(py, hh), tf.add(px, hw), tf.add(py, hh)], 2) as tf.Tensor3D;
  });
}
