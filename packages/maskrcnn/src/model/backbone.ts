import type * as tf from '@tensorflow/tfjs-core';
import type { Quad } from '../config/types';
import type { Params } from './params';
import type { ParamSpec } from './spec';

/** C2–C5 at strides 4, 8, 16, 32: what every backbone hands the FPN. */
export type BodyFeatures = [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];

export interface BackboneBody {
  /** Parameters under `backbone.body.`. */
  specs: ParamSpec[];
  /** Channels of C2–C5. */
  outChannels: Quad;
  forward(p: Params, image: tf.Tensor4D): BodyFeatures;
}

export const BODY_PREFIX = 'backbone.body';

/**
 * torchvision's trainable_layers rule: of layer4, layer3, layer2, layer1, conv1 (+ bn1 at 5) the first
 * `n` train; every other body parameter is frozen. `rel` is the name below `backbone.body.`.
 */
export function bodyParamTrainable(rel: string, trainableLayers: number): boolean {
  const layers = ['layer4', 'layer3', 'layer2', 'layer1', 'conv1'].slice(0, trainableLayers);
  if (trainableLayers === 5) layers.push('bn1');
  return layers.some((l) => rel.startsWith(l));
}

/** Applies the trainable rule to body specs (FrozenBN buffers stay frozen regardless). */
export function applyTrainable(specs: ParamSpec[], trainableLayers: number): ParamSpec[] {
  const pre = `${BODY_PREFIX}.`;
  return specs.map((s) => (s.trainable && s.name.startsWith(pre) ? { ...s, trainable: bodyParamTrainable(s.name.slice(pre.length), trainableLayers) } : s));
}
