// Gradients tfjs-core lacks (registerMissingGradients), on wasm and cpu, against closed forms.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core alone registers no gradients (the tfjs umbrella package does this import)
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { EXTRA_GRADIENTS, registerMissingGradients, registerWasmTrainingKernels } from '../src/backend';

const BACKENDS = ['wasm', 'cpu'];

beforeAll(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
  registerWasmTrainingKernels();
  registerMissingGradients();
  registerMissingGradients(); // idempotent
});

describe('registerMissingGradients', () => {
  it('registers the comparison and gatherND gradients', () => {
    for (const k of ['Less', 'Greater', 'GatherNd']) {
      expect(EXTRA_GRADIENTS).toContain(k);
      expect(tf.getGradient(k)).toBeDefined();
    }
  });

  for (const backend of BACKENDS) {
    it(`smooth-L1 written with where(less(...)) differentiates on ${backend}`, async () => {
      await tf.setBackend(backend);
      const beta = 1 / 9;
      const xs = [-0.5, -0.05, 0, 0.02, 0.1, 0.3, 2];
      const g = tf.tidy(() => tf.grad((x: tf.Tensor) => {
        const ax = tf.abs(x);
        return tf.sum(tf.where(tf.less(ax, beta), tf.div(tf.mul(0.5, tf.square(x)), beta), tf.sub(ax, 0.5 * beta)));
      })(tf.tensor1d(xs)).dataSync());
      xs.forEach((x, i) => {
        const want = Math.abs(x) < beta ? x / beta : Math.sign(x);
        expect(g[i]).toBeCloseTo(want, 5);
      });
    });

    it(`gatherND gradient sums repeated index tuples on ${backend}`, async () => {
      await tf.setBackend(backend);
      const idx = [[0, 1], [2, 0], [0, 1], [1, 2], [0, 1]];
      const dyVals = [1, 2, 3, 4, 5];
      const g = tf.tidy(() => tf.grad((p: tf.Tensor) =>
        tf.sum(tf.mul(tf.gatherND(p, tf.tensor2d(idx, [5, 2], 'int32')), tf.tensor1d(dyVals))))(tf.zeros([3, 3])).dataSync());
      const want = new Array<number>(9).fill(0);
      idx.forEach(([r, c], i) => { want[r! * 3 + c!] = want[r! * 3 + c!]! + dyVals[i]!; });
      expect(Array.from(g)).toEqual(want);
    });
  }
});
