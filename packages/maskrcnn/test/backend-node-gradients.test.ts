// registerAllGradients in a plain Node process (tsx's loader, as the worker runs), where importing
// tfjs-core's gradient registrations directly fails. Vitest resolves them itself, so this runs a
// child process.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

const CHILD = `
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { registerAllGradients, registerWasmTrainingKernels } from './src/backend/index.ts';
await tf.setBackend('wasm'); await tf.ready(); registerWasmTrainingKernels();
const before = Boolean(tf.getGradient('Conv2D'));
await registerAllGradients(); await registerAllGradients();
const g = tf.grads((x, w) => tf.sum(tf.conv2d(x, w, 1, 'same')))([tf.ones([1, 5, 4, 2]), tf.ones([3, 3, 2, 1])]);
const less = tf.grad((x) => tf.sum(tf.where(tf.less(x, 0), tf.neg(x), x)))(tf.tensor1d([-2, 3]));
console.log(JSON.stringify({ before, dx: Array.from(g[0].dataSync()), dw: Array.from(g[1].dataSync()), less: Array.from(less.dataSync()) }));
`;

/** Taps of a 3-wide 'same' window that land inside a length-n axis, per position / per tap. */
const covered = (n: number, i: number) => [-1, 0, 1].filter((d) => i + d >= 0 && i + d < n).length;
const tapHits = (n: number, k: number) => Array.from({ length: n }, (_, o) => o + k - 1).filter((i) => i >= 0 && i < n).length;

describe('registerAllGradients under plain Node + tsx', () => {
  it('registers core and extra gradients so a wasm conv/where graph differentiates', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx/esm', '--input-type=module', '-e', CHILD], {
      cwd: PACKAGE_DIR, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 60_000,
    });
    const r = JSON.parse(out.trim().split('\n').pop()!) as { before: boolean; dx: number[]; dw: number[]; less: number[] };
    expect(r.before).toBe(false);
    // d/dx Σ conv(x, 1) = how many output windows cover the pixel; d/dW = how many pixels each tap sees
    const dx: number[] = [];
    for (let i = 0; i < 5; i++) for (let j = 0; j < 4; j++) for (let c = 0; c < 2; c++) dx.push(covered(5, i) * covered(4, j));
    const dw: number[] = [];
    for (let kh = 0; kh < 3; kh++) for (let kw = 0; kw < 3; kw++) for (let c = 0; c < 2; c++) dw.push(tapHits(5, kh) * tapHits(4, kw));
    expect(r.dx).toEqual(dx);
    expect(r.dw).toEqual(dw);
    expect(r.less).toEqual([-1, 1]);
  });
});
