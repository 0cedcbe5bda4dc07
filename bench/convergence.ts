// Convergence benchmark (issue #4): `cpu-small` from scratch on a generated shapes dataset, wall-clock
// limited, segm/bbox AP@0.5 on held-out val after every epoch.
// Run from the repo root: npx tsx bench/convergence.ts [--minutes 20] [--train 150] [--val 30] [--size 320] [--threads N]
// (wasm threads default to one per core, as the worker and the CLI)
import os from 'node:os';
import { parseArgs } from 'node:util';
import { detectionMetrics, machineThreads, makeConfig, MaskRCNN, registerAllGradients, registerWasmTrainingKernels, selectBackend, shutdownWasmBackend, syntheticSample, train } from '@segmenta/maskrcnn';

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '20' }, train: { type: 'string', default: '150' }, val: { type: 'string', default: '30' }, size: { type: 'string', default: '320' }, classes: { type: 'string', default: '4' }, lr: { type: 'string', default: '0.001' }, threads: { type: 'string' } } });
const minutes = Number(values.minutes);
const size = Number(values.size);
const classCount = Number(values.classes);
const names = ['circle', 'square', 'triangle', 'star', 'hexagon', 'diamond', 'cross', 'ellipse', 'pentagon', 'arrow'].slice(0, classCount);

const backend = await selectBackend('auto', { threads: values.threads ? Number(values.threads) : machineThreads() });
await registerAllGradients();
registerWasmTrainingKernels();
const make = (n: number, offset: number) => Promise.all(Array.from({ length: n }, (_, i) => syntheticSample(offset + i, { width: size, height: size, classCount, seed: 7_000 + offset + i, minInstances: 1, maxInstances: 4 })));
const trainSet = await make(Number(values.train), 0);
const valSet = await make(Number(values.val), 100_000);

const cfg = makeConfig('cpu-small', { numClasses: classCount + 1, transform: { minSize: size, maxSize: Math.round(size * 1.6) } });
const model = MaskRCNN.init(cfg, 1);
const started = Date.now();
// Training steps are synchronous, so a timer would never get to fire: check the clock at every step.
const controller = new AbortController();
console.log(JSON.stringify({ machine: `${os.cpus()[0]?.model} ×${os.cpus().length}`, node: process.version, backend: backend.name, threads: backend.threads, preset: 'cpu-small', minSize: cfg.transform.minSize, train: trainSet.length, val: valSet.length, classes: classCount, minutes }));
try {
  await train({
    model,
    train: trainSet,
    epochs: 1000,
    batchSize: 2,
    optimizer: { type: 'adam' },
    schedule: { type: 'constant', baseLr: Number(values.lr), warmupSteps: 50 },
    seed: 1,
    augment: { horizontalFlip: 0.5 },
    signal: controller.signal,
    onStep: () => {
      if (Date.now() - started > minutes * 60_000) controller.abort();
    },
    onEpoch: async (r) => {
      const evalStart = Date.now();
      const m = await detectionMetrics(model, valSet, names, 0);
      const ap = { segmAP50: m.ap50Segm, segmAP: m.mapSegm, bboxAP50: m.ap50Bbox };
      console.log(JSON.stringify({ epoch: r.epoch + 1, minutes: Math.round(((Date.now() - started) / 60_000) * 100) / 100, trainLoss: Math.round(r.train.loss * 1e4) / 1e4, ...ap, evalSeconds: Math.round((Date.now() - evalStart) / 100) / 10 }));
    },
  });
} catch (err) {
  if (!controller.signal.aborted) throw err;
  console.log(JSON.stringify({ stopped: 'time limit', minutes: Math.round(((Date.now() - started) / 60_000) * 100) / 100 }));
}
// the threaded build's pthreads would keep the process alive
await shutdownWasmBackend();
