// The wasm heap guard: tensor bytes counted through the backend's malloc/free, and an allocation past
// the budget refused with WasmHeapLimitError before Emscripten's malloc could abort the module.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import {
  DEFAULT_WASM_HEAP_BUDGET_BYTES, WasmHeapLimitError, initWasmBackend, resetWasmHeapPeak, setWasmHeapBudget,
  shutdownWasmBackend, wasmHeapStats,
} from '../src/backend';

const MiB = 2 ** 20;
const live = () => wasmHeapStats()!.liveBytes;

beforeAll(async () => {
  await initWasmBackend();
});
afterAll(async () => {
  await shutdownWasmBackend();
});

describe('wasm heap guard', () => {
  it('counts tensor bytes in and out, with a high-water mark', () => {
    const s = wasmHeapStats()!;
    expect(s.budgetBytes).toBe(DEFAULT_WASM_HEAP_BUDGET_BYTES);
    expect(s.heapBytes).toBeGreaterThan(0);
    const before = live();
    resetWasmHeapPeak();
    const a = tf.zeros([MiB / 4]); // 1 MiB of float32
    const b = tf.add(a, a); // another
    expect(live() - before).toBe(2 * MiB);
    tf.dispose([a, b]);
    expect(live()).toBe(before);
    expect(wasmHeapStats()!.peakBytes - before).toBe(2 * MiB);
  });

  it('refuses a tensor over the budget with a clear error, leaks nothing and keeps the backend usable', async () => {
    const tensorsBefore = tf.memory().numTensors;
    const before = live();
    setWasmHeapBudget(before + 8 * MiB);
    try {
      let err: unknown;
      try {
        tf.zeros([4 * MiB]); // 16 MiB
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(WasmHeapLimitError);
      expect((err as Error).message).toMatch(/out of WebAssembly memory: a 16 MiB tensor .* over the .* budget/);
      // a kernel's output over the budget, inside a tidy and a gradient
      const x = tf.ones([1, 64, 64, 8]);
      const w = tf.ones([3, 3, 8, 512]); // output 64·64·512·4 B = 8 MiB, with x and w over the 8 MiB left
      expect(() => tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(tf.conv2d(t as tf.Tensor4D, w as tf.Tensor4D, 1, 'same')))(x))).toThrow(WasmHeapLimitError);
      tf.dispose([x, w]);
      expect(tf.memory().numTensors).toBe(tensorsBefore);
      expect(live()).toBe(before);
    } finally {
      setWasmHeapBudget(DEFAULT_WASM_HEAP_BUDGET_BYTES);
    }
    // still computing, and correctly, after the refusals
    const y = tf.conv2d(tf.ones([1, 8, 8, 2]) as tf.Tensor4D, tf.ones([3, 3, 2, 1]) as tf.Tensor4D, 1, 'valid');
    expect(Array.from(await y.data())).toEqual(new Array(36).fill(18));
    y.dispose();
  });

  it('rejects a budget outside (0, 4 GB]', () => {
    expect(() => setWasmHeapBudget(0)).toThrow(/heap budget must be within/);
    expect(() => setWasmHeapBudget(5 * 2 ** 30)).toThrow(/heap budget must be within/);
  });
});
