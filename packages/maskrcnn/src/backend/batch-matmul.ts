// BatchMatMul for wasm with transposed operands laid out first.
//
// tfjs-backend-wasm 4.22 hands transposeA/transposeB to its XNNPACK path in a way that runs at
// 0.6–2.5 GFLOP/s against ≈ 15–45 for the plain product: in one training step of the torchvision preset
// the fc6 weight gradient ([512,12544]ᵀ·[512,1024]) took 21.7 s and its input gradient 6.0 s, while the
// forward product of the same size took 0.85 s. MatMul's gradients are exactly these transposed
// products. Transposing an operand is one pass over memory, so the product is taken on copies.
import * as tf from '@tensorflow/tfjs-core';
import { builtinKernel } from './builtin-kernels';
import type { Attrs, TensorInfo } from './wasm-internals';
import { asWasm, dispose, runKernel } from './wasm-internals';

function swapLastTwo(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1]!, perm[rank - 2]!];
  return perm;
}

export const batchMatMulKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const builtin = builtinKernel('wasm', tf.BatchMatMul);
  const { transposeA, transposeB } = attrs as Attrs & { transposeA?: boolean; transposeB?: boolean };
  if (!transposeA && !transposeB) return builtin({ inputs, backend, attrs });
  const b = asWasm(backend);
  const { a, b: bIn } = inputs as { a: TensorInfo; b: TensorInfo };
  const aT = transposeA ? runKernel(b, tf.Transpose, { x: a }, { perm: swapLastTwo(a.shape.length) }) : a;
  const bT = transposeB ? runKernel(b, tf.Transpose, { x: bIn }, { perm: swapLastTwo(bIn.shape.length) }) : bIn;
  try {
    return runKernel(b, tf.BatchMatMul, { a: aT, b: bT }, { ...attrs, transposeA: false, transposeB: false }, builtin);
  } finally {
    if (aT !== a) dispose(b, aT);
    if (bT !== bIn) dispose(b, bT);
  }
};
