// The threaded wasm build in Node (initWasmBackend's work-arounds), checked against cpu.
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core alone registers no gradients (the tfjs umbrella package does this import)
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { DEFAULT_WASM_HEAP_BUDGET_BYTES, WasmHeapLimitError, initWasmBackend, setWasmHeapBudget, shutdownWasmBackend, wasmHeapStats } from '../src/backend';

afterAll(async () => {
  await shutdownWasmBackend();
});

function rand(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 31 - 1; });
}

describe('threaded wasm in Node', () => {
  it('starts with 2 threads and computes conv gradients like cpu', async () => {
    expect(await initWasmBackend({ threads: 2 })).toBe(2);
    const xs = rand(2 * 16 * 16 * 8, 1);
    const ws = rand(3 * 3 * 8 * 16, 2);
    const run = async (backend: string) => {
      await tf.setBackend(backend);
      return tf.tidy(() => {
        const x = tf.tensor4d(xs, [2, 16, 16, 8]);
        const w = tf.tensor4d(ws, [3, 3, 8, 16]);
        const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same')));
        return tf.grads(f)([x, w]).map((g) => g.dataSync());
      });
    };
    const threaded = await run('wasm');
    const ref = await run('cpu');
    threaded.forEach((g, i) => {
      let err = 0; let scale = 1;
      g.forEach((v, j) => { err = Math.max(err, Math.abs(v - ref[i]![j]!)); scale = Math.max(scale, Math.abs(ref[i]![j]!)); });
      expect(err / scale).toBeLessThan(1e-4);
    });
  });

  // At the 4 GB ceiling the threaded build can hang instead of failing; the guard must refuse first.
  it('refuses an allocation over the heap budget cleanly and keeps computing', async () => {
    await tf.setBackend('wasm');
    const before = wasmHeapStats()!.liveBytes;
    setWasmHeapBudget(before + 4 * 2 ** 20);
    try {
      const x = tf.ones([1, 64, 64, 16]) as tf.Tensor4D;
      const w = tf.ones([3, 3, 16, 512]) as tf.Tensor4D; // output 8 MiB
      expect(() => tf.tidy(() => tf.conv2d(x, w, 1, 'same'))).toThrow(WasmHeapLimitError);
      tf.dispose([x, w]);
      expect(wasmHeapStats()!.liveBytes).toBe(before);
    } finally {
      setWasmHeapBudget(DEFAULT_WASM_HEAP_BUDGET_BYTES);
    }
    const y = tf.conv2d(tf.ones([1, 8, 8, 2]) as tf.Tensor4D, tf.ones([3, 3, 2, 1]) as tf.Tensor4D, 1, 'valid');
    expect(Array.from(await y.data())).toEqual(new Array(36).fill(18));
    y.dispose();
  });
});
