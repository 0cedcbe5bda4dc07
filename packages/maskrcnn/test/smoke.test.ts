import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-cpu';

describe('backends', () => {
  it('wasm and cpu agree on a small conv', async () => {
    await tf.setBackend('cpu');
    const x = tf.randomNormal([1, 8, 8, 3], 0, 1, 'float32', 1);
    const w = tf.randomNormal([3, 3, 3, 4], 0, 1, 'float32', 2);
    const xs = await x.data(); const ws = await w.data();
    const run = async (b: string) => { await tf.setBackend(b); await tf.ready();
      return tf.conv2d(tf.tensor4d(xs, [1, 8, 8, 3]), tf.tensor4d(ws, [3, 3, 3, 4]), 1, 'same').data(); };
    const a = await run('wasm'); const c = await run('cpu');
    let m = 0; for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - c[i]!));
    expect(m).toBeLessThan(1e-4);
  });
});
