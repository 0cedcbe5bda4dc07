// ResizeNearestNeighborGrad as the exact adjoint of the forward kernel: every dy pixel is added to
// the source pixel the forward pass copied it from. tfjs-backend-cpu 4.22's version offsets dy by
// the *image's* batch stride (wrong for batch > 1) and ignores halfPixelCenters; one shared
// implementation keeps cpu and wasm in agreement.
import type { ArrayCompute } from './array-kernel';

/** Source index per output index along one axis, as tfjs's forward resizeNearestNeighbor maps it. */
export function nearestSources(inSize: number, outSize: number, alignCorners: boolean, halfPixelCenters: boolean): Int32Array {
  const aligned = alignCorners && outSize > 1;
  const ratio = (aligned ? inSize - 1 : inSize) / (aligned ? outSize - 1 : outSize);
  const src = new Int32Array(outSize);
  for (let o = 0; o < outSize; o++) {
    const frac = halfPixelCenters ? ratio * (o + 0.5) : ratio * o;
    let s = Math.min(inSize - 1, alignCorners ? Math.round(frac) : Math.floor(frac));
    if (halfPixelCenters) s = Math.max(0, s);
    src[o] = s;
  }
  return src;
}

export const resizeNearestGradCompute: ArrayCompute = (inputs, attrs) => {
  const { dy, images } = inputs as Record<'dy' | 'images', NonNullable<(typeof inputs)[string]>>;
  const [N, H, W, C] = images.shape as [number, number, number, number];
  const [, OH, OW] = dy.shape as [number, number, number, number];
  const align = Boolean(attrs['alignCorners']);
  const half = Boolean(attrs['halfPixelCenters']);
  const rows = nearestSources(H, OH, align, half);
  const cols = nearestSources(W, OW, align, half);
  const g = dy.values;
  const dx = new Float32Array(N * H * W * C);
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      const rowBase = (n * H + rows[oh]!) * W;
      for (let ow = 0; ow < OW; ow++) {
        const d = (rowBase + cols[ow]!) * C;
        const s = ((n * OH + oh) * OW + ow) * C;
        for (let c = 0; c < C; c++) dx[d + c] = dx[d + c]! + g[s + c]!;
      }
    }
  }
  return { values: dx, shape: images.shape, dtype: 'float32' };
};
