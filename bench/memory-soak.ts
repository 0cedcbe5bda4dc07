// Memory over a long training run (issue #4, "Memory flat over 1,000 steps"): the whole loop as the
// worker runs it — augmentation pipeline on its thread, prefetch, Adam, val losses and COCO metrics
// after every epoch — sampling tfjs's tensor count and bytes, the wasm heap and the process RSS.
// Run from the repo root: npx tsx bench/memory-soak.ts [--steps 1000] [--preset torchvision-tiny] [--size 128] [--every 50]
import os from 'node:os';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { defaultAugmentations } from '@segmenta/contracts';
import { detectionMetrics, makeConfig, MaskRCNN, registerAllGradients, selectBackend, sharpJpeg, shutdownWasmBackend, syntheticSample, train, wasmHeapStats, type PresetName } from '@segmenta/maskrcnn';
import { createAugmentPool } from '@segmenta/maskrcnn/augment-pool';

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '1000' }, preset: { type: 'string', default: 'torchvision-tiny' }, size: { type: 'string', default: '128' },
    every: { type: 'string', default: '50' }, threads: { type: 'string', default: '1' },
  },
});
const steps = Number(values.steps);
const size = Number(values.size);
const every = Number(values.every);
const stepsPerEpoch = 50;
const names = ['circle', 'square', 'triangle', 'star'];

const backend = await selectBackend('wasm', { threads: Number(values.threads) });
await registerAllGradients();
const make = (n: number, offset: number) => Promise.all(Array.from({ length: n }, (_, i) => syntheticSample(offset + i, { width: size, height: size, classCount: names.length, seed: 7_000 + offset + i, minInstances: 0, maxInstances: 4 })));
const [trainSet, valSet] = [await make(stepsPerEpoch, 0), await make(4, 10_000)];
const cfg = makeConfig(values.preset as PresetName, { numClasses: names.length + 1, transform: { minSize: size, maxSize: size } });
const model = MaskRCNN.init(cfg, 3);
const pool = createAugmentPool();

const wasmHeapBytes = () => wasmHeapStats()?.heapBytes ?? 0;
const MB = (b: number) => Math.round((b / 2 ** 20) * 10) / 10;
interface Sample { step: number; tensors: number; tfMB: number; wasmHeapMB: number; rssMB: number; jsHeapMB: number; loss: number }
const samples: Sample[] = [];
const started = performance.now();
console.log(JSON.stringify({ machine: `${os.cpus()[0]?.model} ×${os.cpus().length}`, node: process.version, backend: backend.name, threads: backend.threads, preset: values.preset, size, steps, stepsPerEpoch, val: valSet.length }));

await train({
  model, train: trainSet, val: valSet, epochs: Math.ceil(steps / stepsPerEpoch), batchSize: 1, seed: 1,
  optimizer: { type: 'adam', weightDecay: 1e-4 }, schedule: { type: 'cosine', baseLr: 1e-3, totalSteps: steps, warmupSteps: 20 }, clipNorm: 10,
  augment: { steps: defaultAugmentations, jpeg: sharpJpeg, runner: pool.run },
  onStep: (s) => {
    const n = s.step + 1;
    if (n === 1 || n % every === 0) {
      const m = tf.memory();
      const row = { step: n, tensors: m.numTensors, tfMB: MB(m.numBytes), wasmHeapMB: MB(wasmHeapBytes()), rssMB: MB(process.memoryUsage().rss), jsHeapMB: MB(process.memoryUsage().heapUsed), loss: Math.round(s.loss * 1e4) / 1e4 };
      samples.push(row);
      console.log(JSON.stringify(row));
    }
  },
  onEpoch: async () => {
    await detectionMetrics(model, valSet, names);
  },
});
await pool.close();
model.dispose();
await shutdownWasmBackend();

const first = samples.find((s) => s.step >= 100) ?? samples[0]!;
const last = samples.at(-1)!;
console.log(`\n${steps} steps in ${((performance.now() - started) / 60_000).toFixed(1)} min`);
console.log('| step | tensors | tfjs MB | wasm heap MB | RSS MB | JS heap MB |\n|---:|---:|---:|---:|---:|---:|');
for (const s of samples.filter((x) => x.step === 1 || x.step % (every * 4) === 0 || x === last)) console.log(`| ${s.step} | ${s.tensors} | ${s.tfMB} | ${s.wasmHeapMB} | ${s.rssMB} | ${s.jsHeapMB} |`);
console.log(`\nfrom step ${first.step} to ${last.step}: tensors ${first.tensors} → ${last.tensors}, tfjs ${first.tfMB} → ${last.tfMB} MB, wasm heap ${first.wasmHeapMB} → ${last.wasmHeapMB} MB, RSS ${first.rssMB} → ${last.rssMB} MB`);
