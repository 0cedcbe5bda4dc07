import * as tf from '@tensorflow/tfjs-core';
import type { MaskRCNN } from '../model/maskrcnn';
import { LOSS_NAMES, type LossName } from '../train/losses';
import { seededRandom } from '../train/sampler';
import { trainingLosses } from '../train/forward';
import { checkAugmentConfig, type AugmentConfig } from './augment';
import { BatchPrefetcher } from './batches';
import type { TrainingSample } from './data';
import { createOptimizer, type Optimizer, type OptimizerConfig, type SlotTensor } from './optimizer';
import { learningRateAt, type ScheduleConfig } from './schedule';

// The training loop: seeded shuffling, augmentation and sampling (a run is reproducible on one
// backend, and a resumed run takes the same next step as an uninterrupted one), batches prepared ahead
// of the step that uses them, gradient accumulation, per-epoch train/val/test losses with every
// component, NaN detection that names the step.

export interface LossSummary {
  /** Mean total loss per image. */
  loss: number;
  components: Record<LossName, number>;
  images: number;
}

export interface EpochResult {
  epoch: number;
  step: number;
  train: LossSummary;
  val?: LossSummary;
  test?: LossSummary;
  seconds: number;
  /** Of `seconds`: waiting for batches between steps, and computing the val/test losses. */
  dataWaitSeconds: number;
  evalSeconds: number;
}

export interface StepInfo {
  step: number;
  epoch: number;
  loss: number;
  components: Record<LossName, number>;
  learningRate: number;
  /** How long this step waited for its batch after the previous step (and its onStep) finished. */
  dataWaitSeconds: number;
}

export interface TrainOptions {
  model: MaskRCNN;
  train: readonly TrainingSample[];
  val?: readonly TrainingSample[];
  test?: readonly TrainingSample[];
  epochs: number;
  batchSize: number;
  /** Micro-batches whose gradients are averaged before one optimiser step. */
  accumulation?: number;
  optimizer: OptimizerConfig;
  schedule: ScheduleConfig;
  clipNorm?: number;
  seed: number;
  augment?: AugmentConfig;
  /** Steps whose batches are prepared ahead of the running one (default 2; 0 prepares each on demand). */
  prefetch?: number;
  /** Resume: the epoch to start at (0-based) and the optimiser slots saved with the checkpoint. */
  startEpoch?: number;
  optimizerState?: SlotTensor[];
  signal?: AbortSignal;
  onStep?: (info: StepInfo) => void | Promise<void>;
  /** Called after each epoch, before the next; save checkpoints here. `optimizerState()` returns copies the caller disposes. */
  onEpoch?: (result: EpochResult, trainer: { optimizerState: () => Promise<SlotTensor[]> }) => void | Promise<void>;
}

export class TrainingDivergedError extends Error {
  constructor(
    readonly step: number,
    readonly epoch: number,
    readonly components: Record<string, number>,
  ) {
    super(`training diverged at step ${step} (epoch ${epoch + 1}): loss is not finite (${Object.entries(components).map(([k, v]) => `${k}=${v}`).join(', ')}); the last good checkpoint is kept`);
    this.name = 'TrainingDivergedError';
  }
}

const zeros = (): Record<LossName, number> => Object.fromEntries(LOSS_NAMES.map((n) => [n, 0])) as Record<LossName, number>;

const stepRandom = (seed: number, step: number) => seededRandom((seed * 2_654_435_761 + step * 40_503) >>> 0);

function toTensor(s: TrainingSample): tf.Tensor3D {
  return tf.tensor3d(s.pixels, [s.height, s.width, 3]);
}

/** Losses of one batch and the gradients of their sum w.r.t. the trainable variables. */
function lossAndGrads(model: MaskRCNN, batch: readonly TrainingSample[], random: () => number, vars: tf.Variable[]) {
  let components = zeros();
  const images = batch.map(toTensor);
  try {
    const { value, grads } = tf.variableGrads(() => {
      const out = trainingLosses(model.params, model.cfg, images, batch.map((b) => b.target), { body: model.body, random });
      components = Object.fromEntries(LOSS_NAMES.map((n) => [n, out.losses[n].dataSync()[0]!])) as Record<LossName, number>;
      return out.total;
    }, vars);
    const total = value.dataSync()[0]!;
    value.dispose();
    // A variable the loss does not reach (the mask head on an image without instances) gets no
    // gradient from tfjs. torchvision gives it a zero one (its mask loss is then `logits.sum() * 0`),
    // and tfjs's optimisers keep their slots by position, so every step names every variable, in order.
    const all: Record<string, tf.Tensor> = {};
    for (const v of vars) all[v.name] = grads[v.name] ?? tf.zerosLike(v);
    return { total, components, grads: all };
  } finally {
    tf.dispose(images);
  }
}

/** Mean losses over samples in training mode without gradients, as the origin project measured val/test loss. */
export function evaluateLosses(model: MaskRCNN, samples: readonly TrainingSample[], seed: number): LossSummary {
  const sums = zeros();
  let total = 0;
  const random = seededRandom(seed);
  for (const s of samples) {
    tf.tidy(() => {
      const image = toTensor(s);
      const out = trainingLosses(model.params, model.cfg, [image], [s.target], { body: model.body, random });
      for (const n of LOSS_NAMES) sums[n] += out.losses[n].dataSync()[0]!;
      total += out.total.dataSync()[0]!;
    });
  }
  const k = Math.max(1, samples.length);
  return { loss: total / k, components: Object.fromEntries(LOSS_NAMES.map((n) => [n, sums[n] / k])) as Record<LossName, number>, images: samples.length };
}

export async function train(o: TrainOptions): Promise<EpochResult[]> {
  if (o.train.length === 0) throw new Error('the training set is empty: assign images to the train split first');
  if (o.batchSize < 1 || !Number.isInteger(o.batchSize)) throw new Error(`batchSize must be a positive integer, got ${o.batchSize}`);
  const accumulation = o.accumulation ?? 1;
  const vars = o.model.params.trainableVariables();
  const varList = [...vars.values()];
  const optimizer: Optimizer = createOptimizer(o.optimizer, vars);
  if (o.optimizerState) await optimizer.setState(o.optimizerState);
  const stepsPerEpoch = Math.ceil(o.train.length / (o.batchSize * accumulation));
  const history: EpochResult[] = [];
  let step = (o.startEpoch ?? 0) * stepsPerEpoch;
  const augmentCfg = o.augment ?? {};
  checkAugmentConfig(augmentCfg);
  const batches = new BatchPrefetcher({ train: o.train, batchSize: o.batchSize, accumulation, seed: o.seed, augment: augmentCfg }, Math.max(0, Math.floor(o.prefetch ?? 2)), o.epochs * stepsPerEpoch);
  try {
    for (let epoch = o.startEpoch ?? 0; epoch < o.epochs; epoch++) {
      const started = performance.now();
      let dataWait = 0;
      const sums = zeros();
      let lossSum = 0;
      let seen = 0;
      for (let s = 0; s < stepsPerEpoch; s++) {
        o.signal?.throwIfAborted();
        const waitStart = performance.now();
        const microBatches = await batches.take(step);
        const waited = (performance.now() - waitStart) / 1000;
        dataWait += waited;
        const random = stepRandom(o.seed, step);
        const lr = learningRateAt(step, o.schedule);
        let acc: Record<string, tf.Tensor> | null = null;
        const stepComponents = zeros();
        let stepLoss = 0;
        let stepImages = 0;
        for (const batch of microBatches) {
          const { total, components, grads } = lossAndGrads(o.model, batch, random, varList);
          if (!Number.isFinite(total)) {
            tf.dispose(grads);
            if (acc) tf.dispose(acc);
            throw new TrainingDivergedError(step, epoch, components);
          }
          for (const n of LOSS_NAMES) stepComponents[n] += components[n] * batch.length;
          stepLoss += total * batch.length;
          stepImages += batch.length;
          if (acc === null) acc = grads;
          else {
            const prev: Record<string, tf.Tensor> = acc;
            acc = Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, tf.add(prev[k]!, g)]));
            tf.dispose([prev, grads]);
          }
        }
        if (!acc) break;
        const micro = Math.ceil(stepImages / o.batchSize);
        const avg: Record<string, tf.Tensor> = micro > 1 ? Object.fromEntries(Object.entries(acc).map(([k, g]) => [k, tf.div(g, micro)])) : acc;
        if (avg !== acc) tf.dispose(acc);
        optimizer.step(avg, lr, o.clipNorm);
        for (const n of LOSS_NAMES) sums[n] += stepComponents[n];
        lossSum += stepLoss;
        seen += stepImages;
        await o.onStep?.({ step, epoch, loss: stepLoss / stepImages, components: Object.fromEntries(LOSS_NAMES.map((n) => [n, stepComponents[n] / stepImages])) as Record<LossName, number>, learningRate: lr, dataWaitSeconds: waited });
        step++;
      }
      o.model.invalidate();
      const evalStart = performance.now();
      const val = o.val?.length ? evaluateLosses(o.model, o.val, o.seed + 1) : undefined;
      const test = o.test?.length ? evaluateLosses(o.model, o.test, o.seed + 2) : undefined;
      const now = performance.now();
      const result: EpochResult = {
        epoch,
        step,
        train: { loss: lossSum / seen, components: Object.fromEntries(LOSS_NAMES.map((n) => [n, sums[n] / seen])) as Record<LossName, number>, images: seen },
        ...(val ? { val } : {}),
        ...(test ? { test } : {}),
        seconds: (now - started) / 1000,
        dataWaitSeconds: dataWait,
        evalSeconds: (now - evalStart) / 1000,
      };
      history.push(result);
      // Copies: the optimiser's own slots are disposed when training ends; the caller owns these.
      await o.onEpoch?.(result, { optimizerState: async () => (await optimizer.getState()).map((w) => ({ name: w.name, tensor: w.tensor.clone() })) });
      // Evaluation in onEpoch folds the batch norms into a copy of the weights; the next step makes it stale.
      o.model.invalidate();
    }
  } finally {
    optimizer.dispose();
    o.model.invalidate();
  }
  return history;
}
