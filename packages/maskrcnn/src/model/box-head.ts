// TwoMLPHead + FastRCNNPredictor on NHWC RoI features.
import * as tf from '@tensorflow/tfjs-core';
import { linear } from './layers';
import type { Params } from './params';
import { linearSpecs, type ParamSpec } from './spec';

const H = 'roi_heads';

export function boxHeadSpecs(channels: number, poolSize: number, representation: number, numClasses: number): ParamSpec[] {
  return [
    // fc6 is stored permuted so the NHWC RoI features flatten without a transpose (see layout.ts).
    ...linearSpecs(`${H}.box_head.fc6`, representation, channels * poolSize * poolSize, { kind: 'linear-chw', c: channels, h: poolSize, w: poolSize }),
    ...linearSpecs(`${H}.box_head.fc7`, representation, representation),
    ...linearSpecs(`${H}.box_predictor.cls_score`, numClasses, representation),
    ...linearSpecs(`${H}.box_predictor.bbox_pred`, numClasses * 4, representation),
  ];
}

export interface BoxHeadOutput {
  /** [R, numClasses] class logits. */
  classLogits: tf.Tensor2D;
  /** [R, numClasses·4] per-class deltas (dx, dy, dw, dh). */
  boxDeltas: tf.Tensor2D;
}

/** `roiFeatures`: [R, P, P, C] from MultiScaleRoIAlign. */
export function boxHeadForward(p: Params, roiFeatures: tf.Tensor4D): BoxHeadOutput {
  const [r, ph, pw, c] = roiFeatures.shape;
  let x: tf.Tensor2D = tf.reshape(roiFeatures, [r, ph * pw * c]);
  x = linear(p, `${H}.box_head.fc6`, x, true);
  x = linear(p, `${H}.box_head.fc7`, x, true);
  return {
    classLogits: linear(p, `${H}.box_predictor.cls_score`, x),
    boxDeltas: linear(p, `${H}.box_predictor.bbox_pred`, x),
  };
}
