// Shared by the backend tests: seeded inputs, and the gradients of one function on two backends.
import * as tf from '@tensorflow/tfjs-core';

export type Input = { data: Float32Array; shape: number[] };

/** Deterministic values in [-1, 1) (an LCG), so both backends see identical inputs. */
export function rand(shape: number[], seed: number): Input {
  let s = (seed * 2654435761) >>> 0;
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    data[i] = s / 2 ** 31 - 1;
  }
  return { data, shape };
}

/** Output and input gradients of Σ f(xs)·R (R random, so every output position matters). */
export async function gradsOn(backend: string, f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: Input[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  await tf.ready();
  const outs = tf.tidy(() => {
    const xs = inputs.map((i) => tf.tensor(i.data, i.shape));
    const y = f(...xs);
    const r = tf.randomNormal(y.shape, 0, 1, 'float32', 7);
    return [y, ...tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(f(...a), r)))(xs)];
  });
  const data = outs.map((t) => t.dataSync() as Float32Array);
  tf.dispose(outs);
  return data;
}

/** max |a − c| relative to max |c| (floored at 1 so all-tiny tensors compare absolutely); Infinity on a length mismatch. */
export function relErr(a: Float32Array, c: Float32Array): number {
  let err = 0;
  let scale = 1;
  for (let i = 0; i < c.length; i++) {
    err = Math.max(err, Math.abs(a[i]! - c[i]!));
    scale = Math.max(scale, Math.abs(c[i]!));
  }
  return a.length === c.length ? err / scale : Infinity;
}
