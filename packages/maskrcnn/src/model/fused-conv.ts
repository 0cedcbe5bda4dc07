// Convolution + bias (+ ReLU) as one FusedConv2D kernel, with a gradient, also while a tape records.
// tf.fused.conv2d runs unfused whenever a tape records with an activation (conv, add and relu: three
// tensors per layer kept for the backward pass, then three gradients kept until it ends), and its own
// fused gradient computes every input's gradient at once, outside any tidy. Running the kernel
// directly with this registered gradient keeps one output per layer, and the tape evaluates each
// input's gradient only when it needs it (the first trainable conv's input gradient is never made).
import * as tf from '@tensorflow/tfjs-core';

interface FusedAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number;
  dataFormat: 'NHWC' | 'NCHW';
  dilations: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  activation: string;
}

const GRADIENT: tf.GradConfig = {
  kernelName: tf.FusedConv2D,
  inputsToSave: ['x', 'filter'],
  outputsToSave: [true],
  gradFunc: (dy, saved, attrs) => {
    const [x, filter, y] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
    const g = dy as tf.Tensor4D;
    const a = attrs as unknown as FusedAttrs;
    const dilated = Array.isArray(a.dilations) ? a.dilations.some((d) => d !== 1) : a.dilations !== 1;
    if (dilated || a.dataFormat !== 'NHWC' || (a.activation !== 'relu' && a.activation !== 'linear')) {
      throw new Error(`FusedConv2D gradient: only NHWC, dilation 1 and linear/relu are supported (got ${a.dataFormat}, dilations ${String(a.dilations)}, ${a.activation})`);
    }
    // relu'(x) through the output: y > 0 exactly where x > 0
    const dyAct = (): tf.Tensor4D => (a.activation === 'relu' ? tf.mul(g, tf.step(y)) : g) as tf.Tensor4D;
    const conv = { strides: a.strides, pad: a.pad, dataFormat: a.dataFormat, ...(a.dimRoundingMode ? { dimRoundingMode: a.dimRoundingMode } : {}) } as tf.NamedAttrMap;
    return {
      x: () => tf.engine().runKernel(tf.Conv2DBackpropInput, { dy: dyAct(), filter }, { ...conv, inputShape: x.shape }) as tf.Tensor4D,
      filter: () => tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy: dyAct() }, { ...conv, filterShape: filter.shape }) as tf.Tensor4D,
      bias: () => tf.sum(dyAct(), [0, 1, 2]),
    };
  },
};

let registered = false;

/** `x` [N,H,W,C] convolved with `filter` [kh,kw,C,out] ('valid', dilation 1), plus `bias`, then ReLU if asked. */
export function fusedConvBias(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D, stride: number, relu: boolean): tf.Tensor4D {
  if (!registered) {
    // another copy of this module (bundles, tests) may have registered it already
    if (!tf.getGradient(tf.FusedConv2D)) tf.registerGradient(GRADIENT);
    registered = true;
  }
  const attrs = { strides: stride, pad: 'valid', dataFormat: 'NHWC', dilations: 1, activation: relu ? 'relu' : 'linear' };
  return tf.engine().runKernel(tf.FusedConv2D, { x, filter, bias }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}
