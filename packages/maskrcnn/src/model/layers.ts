// Building blocks with torch semantics on NHWC tensors. Padding is explicit ("pad then valid"):
// tfjs 'same' pads asymmetrically (more at the bottom/right) for stride 2 on even sizes, torch does not.
import * as tf from '@tensorflow/tfjs-core';
import { fusedConvBias } from './fused-conv';
import type { FoldedConv, Params } from './params';

/** torchvision FrozenBatchNorm2d's epsilon. */
export const FROZEN_BN_EPS = 1e-5;

export interface ConvOptions {
  stride?: number;
  padding?: number;
  dilation?: number;
  bias?: tf.Tensor1D;
  relu?: boolean;
}

function padSpatial(x: tf.Tensor4D, p: number, value = 0): tf.Tensor4D {
  return p > 0 ? tf.pad(x, [[0, 0], [p, p], [p, p], [0, 0]], value) : x;
}

/** torch.nn.functional.conv2d on NHWC with a [kh,kw,in,out] filter, optional bias and ReLU fused. */
export function conv2d(x: tf.Tensor4D, filter: tf.Tensor4D, o: ConvOptions = {}): tf.Tensor4D {
  const input = padSpatial(x, o.padding ?? 0);
  const stride = o.stride ?? 1;
  const dilation = o.dilation ?? 1;
  if (o.bias && dilation === 1) return fusedConvBias(input, filter, o.bias, stride, o.relu ?? false);
  // tfjs refuses stride > 1 together with dilation > 1; torchvision never combines them here.
  return tf.fused.conv2d({
    x: input,
    filter,
    strides: stride,
    pad: 'valid',
    dilations: dilation,
    bias: o.bias,
    activation: o.relu ? 'relu' : 'linear',
  });
}

/** torch max_pool2d: padding counts as -inf, floor rounding. */
export function maxPool2d(x: tf.Tensor4D, kernel: number, stride: number, padding = 0): tf.Tensor4D {
  return tf.maxPool(padSpatial(x, padding, -Infinity), kernel, stride, 'valid');
}

/** FrozenBatchNorm2d's per-channel affine: scale = w·rsqrt(rv+eps), shift = b − rm·scale. */
export function frozenBnAffine(p: Params, prefix: string): { scale: tf.Tensor1D; shift: tf.Tensor1D } {
  const w = p.get(`${prefix}.weight`);
  const b = p.get(`${prefix}.bias`);
  const rm = p.get(`${prefix}.running_mean`);
  const rv = p.get(`${prefix}.running_var`);
  const scale = tf.mul(w, tf.rsqrt(tf.add(rv, FROZEN_BN_EPS))) as tf.Tensor1D;
  return { scale, shift: tf.sub(b, tf.mul(rm, scale)) as tf.Tensor1D };
}

/** FrozenBatchNorm2d applied to activations (the unfolded reference). */
export function frozenBatchNorm2d(p: Params, prefix: string, x: tf.Tensor4D): tf.Tensor4D {
  const { scale, shift } = frozenBnAffine(p, prefix);
  return tf.add(tf.mul(x, scale), shift);
}

/** Conv weight with FrozenBN folded in: the BN scale multiplies the filter's output channels. */
export function foldConvBn(p: Params, convWeightKey: string, bnPrefix: string): FoldedConv {
  const { scale, shift } = frozenBnAffine(p, bnPrefix);
  return { filter: tf.mul(p.get(convWeightKey), scale) as tf.Tensor4D, bias: shift };
}

/**
 * Bias-free conv followed by FrozenBatchNorm (and ReLU). Uses the precomputed fold when the params
 * provide one; otherwise folds in the graph, which keeps the conv weight differentiable.
 */
export function convBn(
  p: Params,
  convName: string,
  bnPrefix: string,
  x: tf.Tensor4D,
  o: Omit<ConvOptions, 'bias'> = {},
): tf.Tensor4D {
  const key = `${convName}.weight`;
  const f = p.folded?.(key) ?? foldConvBn(p, key, bnPrefix);
  return conv2d(x, f.filter, { ...o, bias: f.bias });
}

/** Conv2d with bias, by state_dict module name. */
export function convBias(p: Params, name: string, x: tf.Tensor4D, o: Omit<ConvOptions, 'bias'> = {}): tf.Tensor4D {
  return conv2d(x, p.get(`${name}.weight`) as tf.Tensor4D, { ...o, bias: p.get(`${name}.bias`) as tf.Tensor1D });
}

/** nn.Linear on [N, in] with a [in, out] weight. */
export function linear(p: Params, name: string, x: tf.Tensor2D, relu = false): tf.Tensor2D {
  return tf.fused.matMul({
    a: x,
    b: p.get(`${name}.weight`) as tf.Tensor2D,
    bias: p.get(`${name}.bias`),
    activation: relu ? 'relu' : 'linear',
  }) as tf.Tensor2D;
}

/**
 * ConvTranspose2d with kernel == stride and no padding (MaskRCNNPredictor's 2×2/s2): every input pixel
 * writes its own k×k output patch, so it is one matmul plus a depth-to-space shuffle — exact, and far
 * faster on wasm than Conv2DBackpropInput. `filter` is in conv2dTranspose layout [k,k,out,in].
 */
export function convTransposeKernelEqStride(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D, relu = false): tf.Tensor4D {
  const [n, h, w, cin] = x.shape;
  const [k, k2, cout, fin] = filter.shape;
  if (k !== k2 || fin !== cin) throw new Error(`convTranspose: filter [${filter.shape.join(',')}] does not fit input channels ${cin}`);
  // [in, k, k, out] so that the matmul output's columns are (ky, kx, out).
  const wMat = tf.reshape(tf.transpose(filter, [3, 0, 1, 2]), [cin, k * k * cout]);
  const y = tf.matMul(tf.reshape(x, [n * h * w, cin]), wMat);
  // Rows of all images stacked keep the shuffle at rank 5.
  const patches = tf.reshape(y, [n * h, w, k, k, cout]);
  const img = tf.reshape(tf.transpose(patches, [0, 2, 1, 3, 4]), [n, h * k, w * k, cout]);
  const out: tf.Tensor4D = tf.add(img, bias);
  return relu ? tf.relu(out) : out;
}
