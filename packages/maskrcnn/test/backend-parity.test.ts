// Gradients of the other ops a Mask R-CNN step differentiates through: wasm (with our kernels)
// against cpu on random inputs. The wasm backend's built-in gradient kernels are not trusted
// blindly: MaxPoolGrad was wrong there (see backend-kernels.test.ts).
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core alone registers no gradients (the tfjs umbrella package does this import)
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { registerMissingGradients, registerWasmTrainingKernels } from '../src/backend';

import { gradsOn, rand, relErr, type Input } from './grad-compare';

beforeAll(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
  registerWasmTrainingKernels();
  registerMissingGradients();
});

const x4 = (seed: number, shape = [2, 5, 6, 4]) => rand(shape, seed);
const cases: Array<[string, (...xs: tf.Tensor[]) => tf.Tensor, Input[]]> = [
  ['matMul + fused matMul (bias, relu)', (a, b, bias) => tf.add(tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
    tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, bias, activation: 'relu' })), [rand([6, 5], 1), rand([5, 3], 2), rand([3], 3)]],
  ['sigmoid, exp, log, sqrt, div', (a) => tf.add(tf.add(tf.sigmoid(a), tf.exp(a)),
    tf.div(tf.log(tf.add(tf.abs(a), 1)), tf.sqrt(tf.add(tf.square(a), 1)))), [x4(4)]],
  ['softmax / logSoftmax over classes', (a) => tf.add(tf.softmax(a), tf.logSoftmax(a)), [rand([7, 5], 5)]],
  ['softmax cross-entropy + sigmoid cross-entropy losses', (a, b) => tf.add(
    tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d([0, 3, 1, 4, 2, 2, 0], 'int32'), 5), a),
    tf.losses.sigmoidCrossEntropy(tf.greater(b, 0), b)), [rand([7, 5], 6), rand([3, 4], 7)]],
  ['smooth-L1 via minimum', (a) => {
    const ax = tf.abs(a); const m = tf.minimum(ax, 1 / 9);
    return tf.add(tf.div(tf.mul(0.5, tf.square(m)), 1 / 9), tf.sub(ax, m));
  }, [x4(8)]],
  ['concat, slice, pad, transpose, reshape', (a) => tf.reshape(tf.transpose(tf.concat([a,
    tf.pad(tf.slice(a, [0, 1, 1, 0], [2, 3, 4, 4]), [[0, 0], [1, 1], [1, 1], [0, 0]])], 3), [0, 3, 1, 2]), [2, -1]), [x4(9)]],
  ['split, stack, unstack, tile, broadcastTo', (a) => {
    const [p, q] = tf.split(a, 2, 1);
    return tf.add(tf.stack([...tf.unstack(p!, 0), ...tf.unstack(q!, 0)]), tf.sum(tf.tile(tf.broadcastTo(tf.slice(a, [0, 0], [1, 3]), [2, 3]), [2, 1])));
  }, [rand([2, 6], 10)]],
  ['where(less), maximum, clipByValue', (a, b) => tf.add(tf.where(tf.less(a, b), a, tf.mul(b, 2)),
    tf.add(tf.maximum(a, b), tf.clipByValue(a, -0.3, 0.4))), [x4(11), x4(12)]],
  ['relu, mean, sum over axes', (a) => tf.add(tf.add(tf.mean(tf.relu(a), [1, 2]), tf.sum(a, [1, 2])), tf.sum(tf.mean(a, 3))), [x4(13)]],
  // square input: tfjs-backend-cpu 4.22's ResizeBilinearGrad returns [N, W, H, C] (not on our training path)
  ['resizeBilinear', (a) => tf.image.resizeBilinear(a as tf.Tensor4D, [9, 11]), [x4(14, [2, 5, 5, 4])]],
  ['gather along axis 1 (rows of RoI features)', (a) => tf.gather(a, tf.tensor1d([2, 0, 2, 3], 'int32'), 1), [x4(15)]],
  ['gatherND (box targets per class)', (a) => tf.gatherND(a, tf.tensor2d([[0, 1], [3, 2], [0, 1]], [3, 2], 'int32')), [rand([4, 3, 4], 16)]],
];

describe('gradient parity wasm vs cpu', () => {
  for (const [name, f, inputs] of cases) {
    it(name, async () => {
      const w = await gradsOn('wasm', f, inputs);
      const c = await gradsOn('cpu', f, inputs);
      expect(w.length).toBe(c.length);
      w.forEach((wa, i) => {
        expect(c[i]!.some((v) => v !== 0), `output ${i} all zero`).toBe(true);
        expect(relErr(wa, c[i]!), `output ${i}`).toBeLessThan(1e-4);
      });
    });
  }
});
