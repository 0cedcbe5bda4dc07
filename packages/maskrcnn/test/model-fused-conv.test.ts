// Conv + bias (+ ReLU) as one FusedConv2D kernel under gradients (model/fused-conv.ts), and the wasm
// Identity that shares its input's buffer (backend/identity.ts): same gradients as the unfused ops,
// input gradients only when the tape needs them, no copy for the tensors autodiff saves.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { initWasmBackend, shutdownWasmBackend, wasmHeapStats } from '../src/backend';
import { fusedConvBias } from '../src/model/fused-conv';

beforeAll(async () => {
  await initWasmBackend();
});
afterAll(async () => {
  await shutdownWasmBackend();
});

function rand(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 31 - 1; });
}

const maxRelErr = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let err = 0, scale = 1e-6;
  for (let i = 0; i < a.length; i++) {
    err = Math.max(err, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return err / scale;
};

describe('fusedConvBias', () => {
  const cases = [
    { k: 3, stride: 1, relu: true },
    { k: 3, stride: 2, relu: true },
    { k: 1, stride: 1, relu: false },
    { k: 1, stride: 2, relu: true },
  ];
  for (const backend of ['wasm', 'cpu']) {
    for (const c of cases) {
      it(`matches conv2d + add + relu and their gradients on ${backend} (${c.k}×${c.k}, stride ${c.stride}, ${c.relu ? 'relu' : 'linear'})`, async () => {
        await tf.setBackend(backend);
        const [n, h, w, cin, cout] = [2, 11, 9, 5, 7];
        const xs = rand(n * h * w * cin, 1), ws = rand(c.k * c.k * cin * cout, 2), bs = rand(cout, 3), dys = rand(1e4, 4);
        const run = (fused: boolean) => tf.tidy(() => {
          const x = tf.tensor4d(xs, [n, h, w, cin]);
          const f = tf.tensor4d(ws, [c.k, c.k, cin, cout]);
          const b = tf.tensor1d(bs);
          const op = (a: tf.Tensor, fl: tf.Tensor, bi: tf.Tensor) => {
            if (fused) return fusedConvBias(a as tf.Tensor4D, fl as tf.Tensor4D, bi as tf.Tensor1D, c.stride, c.relu);
            const y = tf.add(tf.conv2d(a as tf.Tensor4D, fl as tf.Tensor4D, c.stride, 'valid'), bi);
            return c.relu ? tf.relu(y) : y;
          };
          // a weighted sum, so each output element has its own upstream gradient
          const loss = (a: tf.Tensor, fl: tf.Tensor, bi: tf.Tensor) => {
            const y = op(a, fl, bi);
            return tf.sum(tf.mul(y, tf.tensor(dys.subarray(0, y.size), y.shape)));
          };
          const y = op(x, f, b).dataSync();
          return [y, ...tf.grads(loss)([x, f, b]).map((g) => g.dataSync())];
        });
        const fused = run(true);
        const ref = run(false);
        expect(fused[0]!.length).toBe(ref[0]!.length);
        fused.forEach((v, i) => expect(maxRelErr(v, ref[i]!), `output ${i}`).toBeLessThan(1e-5));
      });
    }
  }

  it('computes the input gradient only when the tape needs it', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor4d(rand(1 * 8 * 8 * 4, 5), [1, 8, 8, 4]);
    const f = tf.variable(tf.tensor4d(rand(3 * 3 * 4 * 6, 6), [3, 3, 4, 6]));
    const b = tf.variable(tf.tensor1d(rand(6, 7)));
    const kernelsOf = async (fn: () => tf.Tensor) => (await tf.profile(fn)).kernels.map((k) => k.name);
    const onlyWeights = await kernelsOf(() => {
      const { value, grads } = tf.variableGrads(() => tf.sum(fusedConvBias(x, f, b, 1, true)) as tf.Scalar, [f, b]);
      tf.dispose(Object.values(grads));
      return value;
    });
    expect(onlyWeights).toContain('Conv2DBackpropFilter');
    expect(onlyWeights).not.toContain('Conv2DBackpropInput');
    const withInput = await kernelsOf(() => {
      const gx = tf.grad((t: tf.Tensor) => tf.sum(fusedConvBias(t as tf.Tensor4D, f, b, 1, true)))(x);
      return gx;
    });
    expect(withInput).toContain('Conv2DBackpropInput');
    tf.dispose([x, f, b]);
  });
});

describe('wasm Identity', () => {
  it('shares the buffer instead of copying it, and the data outlives the original', async () => {
    await tf.setBackend('wasm');
    const before = wasmHeapStats()!.liveBytes;
    const a = tf.tensor1d([1, 2, 3, 4]);
    const c = tf.clone(a);
    expect(wasmHeapStats()!.liveBytes - before).toBe(16);
    a.dispose();
    expect(Array.from(await c.data())).toEqual([1, 2, 3, 4]);
    c.dispose();
    expect(wasmHeapStats()!.liveBytes).toBe(before);
    const s = tf.clone(tf.tensor1d(['a', 'b'], 'string'));
    expect(await s.data()).toEqual(['a', 'b']);
  });
});
