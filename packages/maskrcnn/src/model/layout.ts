import * as tf from '@tensorflow/tfjs-core';
import type { ParamLayout, ParamSpec } from './spec';

/** The shape we keep in tfjs for a torch-shaped parameter. */
export function tfShape(spec: Pick<ParamSpec, 'torchShape' | 'layout'>): number[] {
  const s = spec.torchShape;
  const [a = 1, b = 1, c = 1, d = 1] = s;
  switch (spec.layout.kind) {
    case 'conv':
    case 'conv-transpose':
      return [c, d, b, a];
    case 'linear':
      return [b, a];
    case 'linear-chw':
      return [b, a];
    case 'vector':
      return [...s];
  }
}

function checkChw(layout: Extract<ParamLayout, { kind: 'linear-chw' }>, inF: number, name: string): void {
  if (layout.c * layout.h * layout.w !== inF) {
    throw new Error(`${name}: linear-chw layout ${layout.c}×${layout.h}×${layout.w} does not match ${inF} input features`);
  }
}

/** torch-layout data → tfjs-layout tensor. */
export function fromTorch(spec: ParamSpec, data: Float32Array): tf.Tensor {
  return tf.tidy(() => {
    const t = tf.tensor(data, spec.torchShape, 'float32');
    const l = spec.layout;
    switch (l.kind) {
      case 'conv':
      case 'conv-transpose':
        return tf.transpose(t, [2, 3, 1, 0]);
      case 'linear':
        return tf.transpose(t, [1, 0]);
      case 'linear-chw': {
        const [out = 0, inF = 0] = spec.torchShape;
        checkChw(l, inF, spec.name);
        const hwcOut = tf.transpose(tf.reshape(t, [out, l.c, l.h, l.w]), [2, 3, 1, 0]);
        return tf.reshape(hwcOut, [inF, out]);
      }
      case 'vector':
        return t;
    }
  });
}

/** tfjs-layout tensor → torch-layout tensor (for saving state dicts torch can load). */
export function toTorch(spec: ParamSpec, t: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const l = spec.layout;
    switch (l.kind) {
      case 'conv':
      case 'conv-transpose':
        return tf.transpose(t, [3, 2, 0, 1]);
      case 'linear':
        return tf.transpose(t, [1, 0]);
      case 'linear-chw': {
        const [out = 0, inF = 0] = spec.torchShape;
        checkChw(l, inF, spec.name);
        const ochw = tf.transpose(tf.reshape(t, [l.h, l.w, l.c, out]), [3, 2, 0, 1]);
        return tf.reshape(ochw, [out, inF]);
      }
      case 'vector':
        return tf.clone(t);
    }
  });
}
