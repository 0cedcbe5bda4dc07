import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { defaultAugmentations } from '@segmenta/contracts';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerAllGradients, registerWasmTrainingKernels } from '../src/backend';
import { makeConfig } from '../src/config';
import { MaskRCNN } from '../src/model';
import { sharpJpeg, syntheticSample, train, type AugmentRunner, type StepInfo, type TrainingSample } from '../src/trainer';
import { createAugmentPool } from '../src/trainer/augment-pool';

// The loop with the origin project's whole augmentation pipeline (sharp JPEG included): prefetching
// batches ahead changes nothing a run computes.
const cfg = makeConfig('tiny', { numClasses: 4 });
let samples: TrainingSample[];

beforeAll(async () => {
  await registerAllGradients();
  await tf.setBackend('wasm');
  await tf.ready();
  registerWasmTrainingKernels();
  samples = await Promise.all([0, 1, 2, 3].map((i) => syntheticSample(i, { width: 96, height: 80, classCount: 3, seed: 300 + i, minInstances: 1, maxInstances: 2 })));
});

async function run(prefetch: number, runner?: AugmentRunner) {
  const model = MaskRCNN.init(cfg, 7);
  const steps: StepInfo[] = [];
  const epochs = await train({
    model,
    train: samples.slice(0, 3),
    val: samples.slice(3),
    epochs: 2,
    batchSize: 2,
    optimizer: { type: 'adam' },
    schedule: { type: 'constant', baseLr: 1e-3 },
    seed: 11,
    augment: { steps: [...defaultAugmentations, { type: 'resize', p: 0.5, width: 112, height: 96 }], jpeg: sharpJpeg, ...(runner ? { runner } : {}) },
    prefetch,
    onStep: (s) => void steps.push(s),
  });
  model.dispose();
  return { steps, epochs };
}

describe('training with prefetched, fully augmented batches', () => {
  it('takes the same steps with and without lookahead on a worker thread, and reports its data wait and evaluation time', async () => {
    const eager = await run(0);
    const pool = createAugmentPool();
    const ahead = await run(2, pool.run).finally(() => pool.close());
    expect(ahead.steps.map((s) => s.loss)).toEqual(eager.steps.map((s) => s.loss));
    expect(ahead.epochs.map((e) => e.val!.loss)).toEqual(eager.epochs.map((e) => e.val!.loss));
    expect(ahead.steps).toHaveLength(4);
    for (const e of ahead.epochs) {
      expect(e.dataWaitSeconds).toBeGreaterThanOrEqual(0);
      expect(e.evalSeconds).toBeGreaterThan(0);
      expect(e.dataWaitSeconds + e.evalSeconds).toBeLessThanOrEqual(e.seconds);
    }
  });
});
