import { seededRandom } from '../train/sampler';
import { augment, augmentSteps, type AugmentConfig } from './augment';
import type { TrainingSample } from './data';

// Which samples each optimiser step sees, augmented, and a bounded lookahead that prepares the next
// steps' batches while the current (synchronous) step runs: asynchronous work such as the JPEG codec on
// libuv's thread pool then overlaps the step. Everything a batch holds is a function of the seed and
// the step index alone, so prefetching changes no result and a resumed run sees the same batches.

/** Same seed, same epoch → same order, whatever happened before (so resuming reproduces it). */
export function epochOrder(n: number, seed: number, epoch: number): number[] {
  const rand = seededRandom((seed * 1_000_003 + epoch * 7919) >>> 0);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/** Seeds the augmentation draws of one sample of one step: independent of the loss sampler's stream. */
export function augmentSeed(seed: number, step: number, position: number): number {
  return (Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) + Math.imul(step + 1, 0x85ebca6b) + Math.imul(position + 1, 0xc2b2ae35)) >>> 0;
}

export interface BatchPlanOptions {
  train: readonly TrainingSample[];
  batchSize: number;
  accumulation: number;
  seed: number;
  augment: AugmentConfig;
}

/** The micro-batches (sample indices) of a global step; empty micro-batches are left out. */
export function stepIndices(o: BatchPlanOptions, step: number, orderOf: (epoch: number) => number[]): number[][] {
  const stepsPerEpoch = Math.ceil(o.train.length / (o.batchSize * o.accumulation));
  const epoch = Math.floor(step / stepsPerEpoch);
  const s = step % stepsPerEpoch;
  const order = orderOf(epoch);
  const micro: number[][] = [];
  for (let m = 0; m < o.accumulation; m++) {
    const from = (s * o.accumulation + m) * o.batchSize;
    const idx = order.slice(from, from + o.batchSize);
    if (idx.length) micro.push(idx);
  }
  return micro;
}

/** Augmented micro-batches of global steps, prepared up to `lookahead` steps ahead of the one taken. */
export class BatchPrefetcher {
  private readonly pending = new Map<number, Promise<TrainingSample[][]>>();
  private readonly orders = new Map<number, number[]>();

  constructor(
    private readonly o: BatchPlanOptions,
    private readonly lookahead: number,
    /** One past the last global step that will be taken. */
    private readonly endStep: number,
  ) {}

  private orderOf = (epoch: number): number[] => {
    let order = this.orders.get(epoch);
    if (!order) {
      order = epochOrder(this.o.train.length, this.o.seed, epoch);
      this.orders.set(epoch, order);
      this.orders.delete(epoch - 2);
    }
    return order;
  };

  private async prepare(step: number): Promise<TrainingSample[][]> {
    const micro = stepIndices(this.o, step, this.orderOf);
    const cfg = this.o.augment;
    const steps = augmentSteps(cfg);
    const one = (sample: TrainingSample, seed: number) => (steps.length === 0 ? sample : cfg.runner ? cfg.runner(sample, steps, seed) : augment(sample, cfg, seededRandom(seed)));
    return Promise.all(micro.map((idx, m) => Promise.all(idx.map((i, j) => one(this.o.train[i]!, augmentSeed(this.o.seed, step, m * this.o.batchSize + j))))));
  }

  /** The batch of `step`; starts the following steps' preparation before returning. */
  take(step: number): Promise<TrainingSample[][]> {
    const last = Math.min(step + this.lookahead, this.endStep - 1);
    for (let k = step; k <= Math.max(step, last); k++) {
      if (this.pending.has(k)) continue;
      const p = this.prepare(k);
      // A lookahead batch is never awaited when training stops early; its failure must not crash the process.
      p.catch(() => undefined);
      this.pending.set(k, p);
    }
    const p = this.pending.get(step)!;
    this.pending.delete(step);
    return p;
  }
}
