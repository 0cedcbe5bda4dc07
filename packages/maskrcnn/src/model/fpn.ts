// torchvision FeaturePyramidNetwork over C2–C5 with LastLevelMaxPool: P2–P5 plus P6.
import * as tf from '@tensorflow/tfjs-core';
import type { Quad } from '../config/types';
import type { BodyFeatures } from './backbone';
import { convBias, maxPool2d } from './layers';
import type { Params } from './params';
import { convSpecs, kaimingUniform, zeros, type ParamSpec } from './spec';

const FPN = 'backbone.fpn';
const init = { weightInit: (s: number[]) => kaimingUniform(s, 1), biasInit: () => zeros };

export function fpnSpecs(inChannels: Quad, outChannels: number): ParamSpec[] {
  return [
    ...inChannels.flatMap((c, i) => convSpecs(`${FPN}.inner_blocks.${i}.0`, outChannels, c, 1, init)),
    ...inChannels.flatMap((_, i) => convSpecs(`${FPN}.layer_blocks.${i}.0`, outChannels, outChannels, 3, init)),
  ];
}

/** [P2, P3, P4, P5, P6]; P6 = max_pool2d(P5, kernel 1, stride 2) as LastLevelMaxPool. */
export type FpnFeatures = [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];

export function fpnForward(p: Params, c: BodyFeatures): FpnFeatures {
  const last = c.length - 1;
  let inner = convBias(p, `${FPN}.inner_blocks.${last}.0`, c[last] as tf.Tensor4D);
  const results: tf.Tensor4D[] = [convBias(p, `${FPN}.layer_blocks.${last}.0`, inner, { padding: 1 })];
  for (let i = last - 1; i >= 0; i--) {
    const lateral = convBias(p, `${FPN}.inner_blocks.${i}.0`, c[i] as tf.Tensor4D);
    // F.interpolate(mode="nearest", size=lateral's) picks source floor(dst·in/out): tfjs's legacy mode.
    const topDown = tf.image.resizeNearestNeighbor(inner, [lateral.shape[1], lateral.shape[2]], false, false);
    inner = tf.add(lateral, topDown);
    results.unshift(convBias(p, `${FPN}.layer_blocks.${i}.0`, inner, { padding: 1 }));
  }
  results.push(maxPool2d(results[results.length - 1] as tf.Tensor4D, 1, 2));
  return results as FpnFeatures;
}
