// MaxPoolGrad. tfjs-backend-wasm 4.22's own kernel drops gradients whose window maximum is negative
// (see test/backend-kernels.test.ts), which breaks FPN's P6 (max-pool k1 s2 over signed features).
// Semantics follow the cpu backend and PyTorch: each window sends dy to its first maximum in
// row-major window order.
import * as tf from '@tensorflow/tfjs-core';
import type { ArrayCompute } from './array-kernel';

export const maxPoolGradCompute: ArrayCompute = (inputs, attrs) => {
  const { dy, input } = inputs as Record<'dy' | 'input', NonNullable<(typeof inputs)[string]>>;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number], attrs['filterSize'] as number | [number, number],
    attrs['strides'] as number | [number, number], 1, attrs['pad'] as 'same' | 'valid' | number,
    attrs['dimRoundingMode'] as 'floor' | 'round' | 'ceil' | undefined);
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const x = input.values;
  const g = dy.values;
  const dx = new Float32Array(N * H * W * C);
  const best = new Float32Array(C);
  const arg = new Int32Array(C);
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        best.fill(-Infinity);
        arg.fill(-1);
        for (let kh = 0; kh < info.effectiveFilterHeight; kh += info.dilationHeight) {
          const ih = oh * info.strideHeight - info.padInfo.top + kh;
          if (ih < 0 || ih >= H) continue;
          for (let kw = 0; kw < info.effectiveFilterWidth; kw += info.dilationWidth) {
            const iw = ow * info.strideWidth - info.padInfo.left + kw;
            if (iw < 0 || iw >= W) continue;
            const base = ((n * H + ih) * W + iw) * C;
            for (let c = 0; c < C; c++) {
              const v = x[base + c]!;
              if (v > best[c]!) { best[c] = v; arg[c] = base + c; }
            }
          }
        }
        const o = ((n * OH + oh) * OW + ow) * C;
        for (let c = 0; c < C; c++) {
          const a = arg[c]!;
          if (a >= 0) dx[a] = dx[a]! + g[o + c]!;
        }
      }
    }
  }
  return { values: dx, shape: input.shape, dtype: 'float32' };
};
