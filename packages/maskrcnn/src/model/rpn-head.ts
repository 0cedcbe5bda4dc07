// torchvision RPNHead: shared 3×3 conv + ReLU, 1×1 objectness (A) and 1×1 box deltas (4A) per level.
import * as tf from '@tensorflow/tfjs-core';
import { convBias } from './layers';
import type { Params } from './params';
import { convSpecs, zeros, type ParamSpec } from './spec';

const RPN = 'rpn.head';
const init = { weightInit: () => ({ dist: 'normal' as const, std: 0.01 }), biasInit: () => zeros };

export function rpnHeadSpecs(channels: number, anchorsPerLocation: number): ParamSpec[] {
  return [
    ...convSpecs(`${RPN}.conv.0.0`, channels, channels, 3, init),
    ...convSpecs(`${RPN}.cls_logits`, anchorsPerLocation, channels, 1, init),
    ...convSpecs(`${RPN}.bbox_pred`, anchorsPerLocation * 4, channels, 1, init),
  ];
}

export interface RpnHeadOutput {
  /** Per image, all levels: [N, ΣHWA] logits in torchvision's (level, y, x, anchor) order. */
  objectness: tf.Tensor2D;
  /** [N, ΣHWA, 4] deltas (dx, dy, dw, dh) in the same order. */
  deltas: tf.Tensor3D;
  /** H·W·A per level, for per-level top-n and to line anchors up. */
  anchorsPerLevel: number[];
}

/**
 * NHWC conv outputs flatten as (y, x, a) and (y, x, a, coord) — exactly the order torchvision builds
 * with permute_and_flatten + concat, so a reshape suffices (no transpose).
 */
export function rpnHeadForward(p: Params, features: readonly tf.Tensor4D[]): RpnHeadOutput {
  const logits: tf.Tensor2D[] = [];
  const deltas: tf.Tensor3D[] = [];
  const anchorsPerLevel: number[] = [];
  for (const f of features) {
    const t = convBias(p, `${RPN}.conv.0.0`, f, { padding: 1, relu: true });
    const cls = convBias(p, `${RPN}.cls_logits`, t);
    const box = convBias(p, `${RPN}.bbox_pred`, t);
    const [n, h, w, a] = cls.shape;
    logits.push(tf.reshape(cls, [n, h * w * a]));
    deltas.push(tf.reshape(box, [n, h * w * a, 4]));
    anchorsPerLevel.push(h * w * a);
  }
  return { objectness: tf.concat(logits, 1), deltas: tf.concat(deltas, 1), anchorsPerLevel };
}
