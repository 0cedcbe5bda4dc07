// Micro-benchmark: wasm forward Conv2D vs our Conv2DBackpropInput / Conv2DBackpropFilter vs the
// wasm built-in Conv2DBackpropInput. Run from the repo root: npx tsx bench/wasm-conv-grads.ts
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { builtinKernels, conv2dBackpropInputWasm, convGeometry, registerWasmTrainingKernels } from '@segmenta/maskrcnn';

await tf.setBackend('wasm');
await tf.ready();
registerWasmTrainingKernels();
const backend = tf.backend();

function time(f: () => tf.TensorInfo, reps = 3): number {
  const dispose = (t: tf.TensorInfo) => (backend as unknown as { disposeData(id: object): void }).disposeData(t.dataId);
  dispose(f());
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) { const t0 = performance.now(); dispose(f()); ts.push(performance.now() - t0); }
  return ts.sort((a, b) => a - b)[Math.floor(reps / 2)]!;
}

type Case = { name: string; x: number[]; k: number; cout: number; s: number; pad: 'same' | 'valid'; builtin?: boolean };
const cases: Case[] = [
  { name: '3x3 s1 64x64x256->256', x: [1, 64, 64, 256], k: 3, cout: 256, s: 1, pad: 'same', builtin: true },
  { name: '3x3 s2 64x64x256->256', x: [1, 64, 64, 256], k: 3, cout: 256, s: 2, pad: 'same', builtin: true },
  { name: '1x1 s1 64x64x256->1024', x: [1, 64, 64, 256], k: 1, cout: 1024, s: 1, pad: 'valid' },
  { name: '1x1 s2 64x64x512->1024', x: [1, 64, 64, 512], k: 1, cout: 1024, s: 2, pad: 'valid' },
  { name: '3x3 s1 200x200x64->64', x: [1, 200, 200, 64], k: 3, cout: 64, s: 1, pad: 'same' },
];
for (const c of cases) {
  const x = tf.randomNormal(c.x);
  const w = tf.randomNormal([c.k, c.k, c.x[3]!, c.cout]);
  const y = tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.s, c.pad);
  const dy = tf.randomNormal(y.shape);
  const attrs = { strides: [c.s, c.s], pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: 'floor', dilations: [1, 1] } as unknown as tf.NamedAttrMap;
  const gflop = (2 * y.size * c.k * c.k * c.x[3]!) / 1e9;
  const rate = (ms: number) => `${ms.toFixed(0)} ms ${(gflop / (ms / 1000)).toFixed(1)} GFLOP/s`;
  const run = (name: string, inputs: tf.NamedTensorInfoMap, a: tf.NamedAttrMap) => () =>
    tf.engine().runKernel(name, inputs, a) as tf.Tensor as unknown as tf.TensorInfo;
  const rows: string[] = [];
  rows.push(`forward Conv2D        ${rate(time(run('Conv2D', { x, filter: w }, attrs)))}`);
  rows.push(`ours backprop input   ${rate(time(run('Conv2DBackpropInput', { dy, filter: w }, { ...attrs, inputShape: c.x })))}`);
  if (c.s > 1) {
    const g = convGeometry(c.x, w.shape, attrs);
    for (const mode of ['merged', 'separate'] as const) {
      rows.push(`  (${mode.padEnd(8)} phases) ${rate(time(() => conv2dBackpropInputWasm(backend as never, dy, w, g, mode)))}`);
    }
  }
  rows.push(`ours backprop filter  ${rate(time(run('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: w.shape })))}`);
  if (c.builtin) {
    const fn = builtinKernels.get('wasm/Conv2DBackpropInput')!;
    rows.push(`built-in backprop in  ${rate(time(() => fn({ inputs: { dy, filter: w }, backend, attrs: { ...attrs, inputShape: c.x } }) as tf.TensorInfo, 1))}`);
  }
  console.log(`${c.name}  (${gflop.toFixed(2)} GFLOP per op)\n  ${rows.join('\n  ')}`);
  tf.dispose([x, w, y, dy]);
}
