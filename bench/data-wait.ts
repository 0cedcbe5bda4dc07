// Training data pipeline benchmark (issue #8): the share of wall time training steps wait for their
// batch (the origin project's full augmentation pipeline, sharp JPEG included) without prefetch, with
// prefetch on the main thread, and with prefetch on a worker thread (what the worker
// and CLI use), and the per-epoch cost of evaluating val/test as the worker does (losses without
// gradients, then COCO metrics).
// Run from the repo root: npx tsx bench/data-wait.ts [--preset cpu-small] [--size 320] [--train 16] [--val 8] [--test 8] [--epochs 2] [--batch 2] [--repeats 1]
import os from 'node:os';
import { parseArgs } from 'node:util';
import { defaultAugmentations } from '@segmenta/contracts';
import { detectionMetrics, makeConfig, MaskRCNN, registerAllGradients, registerWasmTrainingKernels, selectBackend, sharpJpeg, syntheticSample, train, type AugmentConfig, type PresetName } from '@segmenta/maskrcnn';
import { createAugmentPool } from '@segmenta/maskrcnn/augment-pool';

const { values } = parseArgs({
  options: {
    preset: { type: 'string', default: 'cpu-small' }, size: { type: 'string', default: '320' }, train: { type: 'string', default: '16' },
    val: { type: 'string', default: '8' }, test: { type: 'string', default: '8' }, epochs: { type: 'string', default: '2' },
    batch: { type: 'string', default: '2' }, repeats: { type: 'string', default: '1' }, backend: { type: 'string', default: 'auto' },
  },
});
const size = Number(values.size);
const classCount = 4;
const names = ['circle', 'square', 'triangle', 'star'];
const epochs = Number(values.epochs);

const backend = await selectBackend(values.backend as 'auto');
await registerAllGradients();
registerWasmTrainingKernels();
const make = (n: number, offset: number) => Promise.all(Array.from({ length: n }, (_, i) => syntheticSample(offset + i, { width: size, height: size, classCount, seed: 9_000 + offset + i, minInstances: 1, maxInstances: 4 })));
const [trainSet, valSet, testSet] = [await make(Number(values.train), 0), await make(Number(values.val), 100_000), await make(Number(values.test), 200_000)];
const cfg = makeConfig(values.preset as PresetName, { numClasses: classCount + 1, transform: { minSize: size, maxSize: Math.round(size * 1.6) } });
// The training config's default pipeline (flips, brightness/contrast, JPEG|gamma, blur|equalize), as a run launched with defaults gets it.
const augment: AugmentConfig = { steps: defaultAugmentations, jpeg: sharpJpeg };

console.log(JSON.stringify({ machine: `${os.cpus()[0]?.model} ×${os.cpus().length}`, loadavg: os.loadavg().map((l) => Math.round(l * 100) / 100), node: process.version, backend: backend.name, preset: values.preset, size, train: trainSet.length, val: valSet.length, test: testSet.length, epochs, batch: Number(values.batch) }));

async function once(prefetch: number, thread: boolean) {
  const pool = thread ? createAugmentPool() : undefined;
  // The worker keeps one pool per process: its start-up (about a second, loading TypeScript through tsx) is paid once, not per run.
  if (pool) await pool.run(trainSet[0]!, [], 0);
  const mode = `${prefetch ? `prefetch ${prefetch}` : 'no prefetch'}, augmentation on ${thread ? 'a worker thread' : 'the main thread'}`;
  const model = MaskRCNN.init(cfg, 1);
  const rows: Record<string, number>[] = [];
  let trainEnd = performance.now();
  let trainWall = 0;
  let dataWait = 0;
  let lossEval = 0;
  let metricsEval = 0;
  let steps = 0;
  const waits: number[] = [];
  const started = performance.now();
  await train({
    model,
    train: trainSet,
    val: valSet,
    test: testSet,
    epochs,
    batchSize: Number(values.batch),
    optimizer: { type: 'adam' },
    schedule: { type: 'constant', baseLr: 1e-3 },
    seed: 1,
    augment: pool ? { ...augment, runner: pool.run } : augment,
    prefetch,
    onStep: (info) => {
      steps++;
      waits.push(info.dataWaitSeconds);
    },
    onEpoch: async (r) => {
      // As the worker does in onEpoch: COCO metrics on val and test after the loss evaluation.
      const t0 = performance.now();
      await detectionMetrics(model, valSet, names);
      await detectionMetrics(model, testSet, names);
      const metrics = (performance.now() - t0) / 1000;
      const epochWall = r.seconds + metrics;
      const stepsWall = r.seconds - r.evalSeconds;
      rows.push({ epoch: r.epoch + 1, epochSeconds: epochWall, trainSeconds: stepsWall, dataWaitSeconds: r.dataWaitSeconds, dataWaitShare: r.dataWaitSeconds / stepsWall, valTestLossSeconds: r.evalSeconds, valTestMetricsSeconds: metrics, evalShare: (r.evalSeconds + metrics) / epochWall });
      trainWall += stepsWall;
      dataWait += r.dataWaitSeconds;
      lossEval += r.evalSeconds;
      metricsEval += metrics;
      trainEnd = performance.now();
    },
  });
  model.dispose();
  await pool?.close();
  const total = (trainEnd - started) / 1000;
  const round = (v: number) => Math.round(v * 1000) / 1000;
  for (const row of rows) console.log(JSON.stringify({ mode, ...Object.fromEntries(Object.entries(row).map(([k, v]) => [k, round(v)])) }));
  console.log(JSON.stringify({ mode, summary: true, steps, totalSeconds: round(total), secondsPerStep: round(trainWall / steps), dataWaitPerStepMs: round((dataWait / steps) * 1000), firstStepWaitMs: round(waits[0]! * 1000), laterStepsWaitMaxMs: round(Math.max(...waits.slice(1)) * 1000), laterStepsWaitMeanMs: round((waits.slice(1).reduce((a, b) => a + b, 0) / (steps - 1)) * 1000), laterStepsWaitShare: round(waits.slice(1).reduce((a, b) => a + b, 0) / (steps - 1) / (trainWall / steps)), dataWaitShareOfTraining: round(dataWait / trainWall), dataWaitShareOfTotal: round(dataWait / total), evalSecondsPerEpoch: round((lossEval + metricsEval) / epochs), lossEvalSecondsPerEpoch: round(lossEval / epochs), metricsEvalSecondsPerEpoch: round(metricsEval / epochs), evalShareOfTotal: round((lossEval + metricsEval) / total), loadavg: os.loadavg().map((l) => Math.round(l * 100) / 100) }));
}

for (let r = 0; r < Number(values.repeats); r++) {
  await once(0, false);
  await once(2, false);
  await once(2, true);
}
