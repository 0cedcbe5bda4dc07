// Shared geometry for the convolution gradient kernels: the forward conv's parameters recovered
// from a backprop kernel's attrs, in tfjs's own conventions (computeConv2DInfo).
import * as tf from '@tensorflow/tfjs-core';
import type { Attrs } from './wasm-internals';

export interface ConvGeometry {
  batch: number;
  inH: number; inW: number; inC: number;
  outH: number; outW: number; outC: number;
  kH: number; kW: number;
  sH: number; sW: number;
  dH: number; dW: number;
  padTop: number; padLeft: number;
}

type Shape4 = [number, number, number, number];

/**
 * `xShape`/`filterShape` are the forward conv's input and filter. Dilations are not part of the
 * core backprop ops' attrs (core refuses dilated conv gradients), but are honoured when present.
 */
export function convGeometry(xShape: number[], filterShape: number[], attrs: Attrs): ConvGeometry {
  const dataFormat = (attrs['dataFormat'] as string | undefined) ?? 'NHWC';
  if (dataFormat !== 'NHWC' && dataFormat !== 'channelsLast') {
    throw new Error(`wasm conv gradients support NHWC only, got ${dataFormat}`);
  }
  const strides = attrs['strides'] as number | [number, number];
  const dilations = (attrs['dilations'] as number | [number, number] | undefined) ?? 1;
  const pad = attrs['pad'] as Parameters<typeof tf.backend_util.computeConv2DInfo>[4];
  const rounding = attrs['dimRoundingMode'] as 'floor' | 'round' | 'ceil' | undefined;
  const info = tf.backend_util.computeConv2DInfo(
    xShape as Shape4, filterShape as Shape4, strides, dilations, pad, rounding, false, 'channelsLast');
  if ((info.strideHeight > 1 || info.strideWidth > 1) && (info.dilationHeight > 1 || info.dilationWidth > 1)) {
    throw new Error('conv gradients: strides and dilations cannot both exceed 1');
  }
  return {
    batch: info.batchSize,
    inH: info.inHeight, inW: info.inWidth, inC: info.inChannels,
    outH: info.outHeight, outW: info.outWidth, outC: info.outChannels,
    kH: info.filterHeight, kW: info.filterWidth,
    sH: info.strideHeight, sW: info.strideWidth,
    dH: info.dilationHeight, dW: info.dilationWidth,
    padTop: info.padInfo.top, padLeft: info.padInfo.left,
  };
}
