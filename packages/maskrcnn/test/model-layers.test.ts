import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-cpu';
import ref from './model-ref.json';
import { relError, useBackend, type Packed } from './model.synth';
import { conv2d, convBn, convTransposeKernelEqStride, foldConvBn, frozenBatchNorm2d, maxPool2d } from '../src/model/layers';
import type { Params } from '../src/model/params';

const stem = ref.stem as { weight: number[]; cases: { input: Packed; output: Packed }[] };

function mapParams(entries: Record<string, tf.Tensor>): Params {
  return { get: (n) => { const t = entries[n]; if (!t) throw new Error(n); return t; } };
}

describe.each(['cpu', 'wasm'])('model layers on %s', (backend) => {
  afterAll(() => tf.disposeVariables());

  it.each([0, 1])('stem conv 7×7/s2/p3 + maxpool 3×3/s2/p1 matches torch (case %i: odd then even input)', async (c) => {
    await useBackend(backend);
    const kase = stem.cases[c]!;
    const x = tf.tensor4d(kase.input.data, kase.input.shape as [number, number, number, number]);
    const w = tf.tensor4d(stem.weight, [7, 7, 3, 4]);
    const y = maxPool2d(conv2d(x, w, { stride: 2, padding: 3 }), 3, 2, 1);
    expect(y.shape).toEqual(kase.output.shape);
    expect(relError(await y.data(), kase.output.data)).toBeLessThan(1e-5);
    // 'same' padding is the trap this guards against: it differs from torch on the even input.
    if (kase.input.shape[1]! % 2 === 0) {
      const same = tf.maxPool(tf.conv2d(x, w, 2, 'same'), 3, 2, 'same');
      expect(relError(await same.data(), kase.output.data)).toBeGreaterThan(1e-3);
    }
  });

  it('FrozenBatchNorm folded into the conv equals conv followed by FrozenBN', async () => {
    await useBackend(backend);
    const p = mapParams({
      'c.weight': tf.randomNormal([3, 3, 5, 6], 0, 1, 'float32', 3),
      'bn.weight': tf.randomUniform([6], 0.5, 1.5, 'float32', 4),
      'bn.bias': tf.randomNormal([6], 0, 1, 'float32', 5),
      'bn.running_mean': tf.randomNormal([6], 0, 1, 'float32', 6),
      'bn.running_var': tf.randomUniform([6], 0.1, 2, 'float32', 7),
    });
    const x = tf.randomNormal([2, 9, 8, 5], 0, 1, 'float32', 8) as tf.Tensor4D;
    const reference = tf.relu(frozenBatchNorm2d(p, 'bn', conv2d(x, p.get('c.weight') as tf.Tensor4D, { stride: 2, padding: 1 })));
    const inGraph = convBn(p, 'c', 'bn', x, { stride: 2, padding: 1, relu: true });
    const fold = foldConvBn(p, 'c.weight', 'bn');
    const pre: Params = { ...p, folded: (k) => (k === 'c.weight' ? fold : undefined) };
    const precomputed = convBn(pre, 'c', 'bn', x, { stride: 2, padding: 1, relu: true });
    const r = await reference.data();
    expect(relError(await inGraph.data(), r)).toBeLessThan(1e-5);
    expect(relError(await precomputed.data(), r)).toBeLessThan(1e-5);
    // FrozenBN here is not the identity, so a conv that skipped it would fail.
    const bare = tf.relu(conv2d(x, p.get('c.weight') as tf.Tensor4D, { stride: 2, padding: 1 }));
    expect(relError(await bare.data(), r)).toBeGreaterThan(1e-2);
  });

  it('2×2/s2 transposed conv via matmul equals the defining scatter sum', async () => {
    await useBackend(backend);
    const [n, h, w, cin, cout] = [2, 3, 4, 5, 3];
    const x = tf.randomNormal([n, h, w, cin], 0, 1, 'float32', 9) as tf.Tensor4D;
    const f = tf.randomNormal([2, 2, cout, cin], 0, 1, 'float32', 10) as tf.Tensor4D;
    const b = tf.randomNormal([cout], 0, 1, 'float32', 11) as tf.Tensor1D;
    const got = await convTransposeKernelEqStride(x, f, b).data();
    // out[2i+a, 2j+c, o] = b[o] + Σ_ci x[i, j, ci] · W[a, c, o, ci]
    const xs = await x.data(); const fs = await f.data(); const bs = await b.data();
    const expected = new Float32Array(n * 2 * h * 2 * w * cout);
    for (let bi = 0; bi < n; bi++) for (let i = 0; i < h; i++) for (let j = 0; j < w; j++)
      for (let a = 0; a < 2; a++) for (let c = 0; c < 2; c++) for (let o = 0; o < cout; o++) {
        let s = bs[o]!;
        for (let ci = 0; ci < cin; ci++) s += xs[((bi * h + i) * w + j) * cin + ci]! * fs[((a * 2 + c) * cout + o) * cin + ci]!;
        expected[((bi * 2 * h + 2 * i + a) * 2 * w + 2 * j + c) * cout + o] = s;
      }
    expect(relError(got, expected)).toBeLessThan(1e-5);
    // And it agrees with tfjs's own transposed conv (cpu only: the wasm one is the slow path we avoid).
    if (backend === 'cpu') {
      const t = tf.add(tf.conv2dTranspose(x, f, [n, 2 * h, 2 * w, cout], 2, 'valid'), b);
      expect(relError(await t.data(), expected)).toBeLessThan(1e-5);
    }
  });
});
