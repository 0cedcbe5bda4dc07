// Conv2DBackpropFilter for wasm (the backend has none): im2col + XNNPACK matmuls.
//
// dW[kh,kw,c,o] = Σ_{n,oh,ow} x[n, oh·s + kh·d − pad, ow·s + kw·d − pad, c] · dy[n,oh,ow,o], i.e.
// colsᵀ · dy with cols[(n,oh,ow), (kh,kw,c)] the im2col matrix. The matmuls carry the FLOPs; colsᵀ
// is built directly (from x in [C,N,H,W] order) because wasm's transposed matmuls are slow, and in
// chunks of output rows, which bounds memory on large feature maps.
import type { ConvGeometry } from './conv-geometry';
import { convGeometry } from './conv-geometry';
import type { TensorInfo, WasmBackend } from './wasm-internals';
import { asWasm, dispose, f32, runKernel } from './wasm-internals';
import type * as tf from '@tensorflow/tfjs-core';

/**
 * Upper bound on one colsᵀ chunk, in floats (32 MiB). On a quiet machine wasm's matmul ran fastest
 * with the longest contraction (whole 64×64 map: ≈ 28 GFLOP/s vs ≈ 19 at 128 pixels); the bound
 * only keeps big feature maps from ballooning the heap (bench-kernels/filter-chunks.ts).
 */
const COLS_BUDGET = 8 * 1024 * 1024;

/**
 * colsᵀ for output rows [row0, row0+rows) (row = n·outH + oh): shape [kH·kW·C, rows·outW], built
 * from x transposed to [C, N, H, W] so each (tap, channel, row) is one run along the width.
 */
function im2colT(b: WasmBackend, xT: TensorInfo, g: ConvGeometry, row0: number, rows: number): TensorInfo {
  const P = rows * g.outW;
  const colsT = b.makeOutput([g.kH * g.kW * g.inC, P], 'float32');
  const dst = f32(b, colsT);
  const src = f32(b, xT);
  for (let kh = 0; kh < g.kH; kh++) {
    for (let kw = 0; kw < g.kW; kw++) {
      // output columns whose input column lies inside the image
      const off = kw * g.dW - g.padLeft;
      const owLo = Math.min(g.outW, Math.max(0, Math.ceil(-off / g.sW)));
      const owHi = Math.max(owLo, Math.min(g.outW, Math.floor((g.inW - 1 - off) / g.sW) + 1));
      for (let c = 0; c < g.inC; c++) {
        const rowBase = ((kh * g.kW + kw) * g.inC + c) * P;
        for (let r = 0; r < rows; r++) {
          const n = Math.floor((row0 + r) / g.outH);
          const oh = row0 + r - n * g.outH;
          const ih = oh * g.sH + kh * g.dH - g.padTop;
          const d = rowBase + r * g.outW;
          if (ih < 0 || ih >= g.inH) { dst.fill(0, d, d + g.outW); continue; }
          const s = ((c * g.batch + n) * g.inH + ih) * g.inW + off;
          if (owLo > 0) dst.fill(0, d, d + owLo);
          if (owHi < g.outW) dst.fill(0, d + owHi, d + g.outW);
          if (g.sW === 1) {
            if (owHi - owLo >= 32) dst.set(src.subarray(s + owLo, s + owHi), d + owLo);
            else for (let ow = owLo; ow < owHi; ow++) dst[d + ow] = src[s + ow]!;
          } else {
            for (let ow = owLo; ow < owHi; ow++) dst[d + ow] = src[s + ow * g.sW]!;
          }
        }
      }
    }
  }
  return colsT;
}

/** A copy of dy's rows [row0, row0+rows), flattened to [rows·outW, outC]. */
function dyRows(b: WasmBackend, dy: TensorInfo, g: ConvGeometry, row0: number, rows: number): TensorInfo {
  const len = g.outW * g.outC;
  const out = b.makeOutput([rows * g.outW, g.outC], 'float32');
  f32(b, out).set(f32(b, dy).subarray(row0 * len, (row0 + rows) * len));
  return out;
}

export function conv2dBackpropFilterWasm(
  b: WasmBackend, x: TensorInfo, dy: TensorInfo, g: ConvGeometry, colsBudget = COLS_BUDGET,
): TensorInfo {
  const filterShape = [g.kH, g.kW, g.inC, g.outC];
  const totalRows = g.batch * g.outH;
  const rowsPerChunk = Math.max(1, Math.floor(colsBudget / (g.kH * g.kW * g.inC * g.outW)));
  const xT = runKernel(b, 'Transpose', { x }, { perm: [3, 0, 1, 2] });
  let acc: TensorInfo | null = null;
  for (let row0 = 0; row0 < totalRows; row0 += rowsPerChunk) {
    const rows = Math.min(rowsPerChunk, totalRows - row0);
    const colsT = im2colT(b, xT, g, row0, rows);
    const whole = rows === totalRows;
    const dyc = whole ? { ...dy, shape: [rows * g.outW, g.outC] } : dyRows(b, dy, g, row0, rows);
    const part = runKernel(b, 'BatchMatMul', { a: colsT, b: dyc }, { transposeA: false, transposeB: false });
    dispose(b, colsT);
    if (!whole) dispose(b, dyc);
    if (acc === null) { acc = part; continue; }
    const sum = f32(b, acc);
    const add = f32(b, part);
    for (let i = 0; i < sum.length; i++) sum[i] = sum[i]! + add[i]!;
    dispose(b, part);
  }
  dispose(b, xT);
  if (acc === null) throw new Error('Conv2DBackpropFilter: empty output');
  return { ...acc, shape: filterShape };
}

export const conv2DBackpropFilterKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const b = asWasm(backend);
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const a = attrs ?? {};
  const g = convGeometry(x.shape, a['filterShape'] as number[], a);
  return conv2dBackpropFilterWasm(b, x, dy, g);
};
