// torchvision BalancedPositiveNegativeSampler: per image, up to batchSize·positiveFraction positives and
// the rest of batchSize negatives, drawn uniformly without replacement. The draw itself is pluggable so
// tests can replay torchvision's exact randperm picks and training can be seeded.

/** Per-element labels: >= 1 positive, 0 negative, -1 ignored. */
export type SampleLabels = ArrayLike<number>;

export interface Sampled {
  /** Chosen positive / negative element indices (any order; losses are order-free). */
  pos: Int32Array;
  neg: Int32Array;
}

/** Picks `k` distinct positions out of `0..count-1`. */
export type ChooseFn = (count: number, k: number) => Int32Array;

/** Samples one image's labels; `image` is the image index within the batch. */
export type SampleFn = (labels: SampleLabels, image: number) => Sampled;

// The one seeded generator of the project (mulberry32), shared with data generation and splits.
import { seededRandom } from '@segmenta/contracts';

export { seededRandom };

/** Partial Fisher–Yates over `count` positions with the given uniform [0, 1) source. */
export function randomChoose(random: () => number): ChooseFn {
  return (count, k) => {
    const idx = Int32Array.from({ length: count }, (_, i) => i);
    const take = Math.min(k, count);
    for (let i = 0; i < take; i++) {
      const j = i + Math.floor(random() * (count - i));
      const t = idx[i]!;
      idx[i] = idx[j]!;
      idx[j] = t;
    }
    return idx.slice(0, take);
  };
}

export interface SamplerOptions {
  batchSizePerImage: number;
  positiveFraction: number;
  /** Defaults to a seeded shuffle (seed 0). */
  choose?: ChooseFn;
}

export function balancedSampler(o: SamplerOptions): SampleFn {
  const choose = o.choose ?? randomChoose(seededRandom(0));
  return (labels) => {
    const positive: number[] = [];
    const negative: number[] = [];
    for (let i = 0; i < labels.length; i++) {
      const l = labels[i]!;
      if (l >= 1) positive.push(i);
      else if (l === 0) negative.push(i);
    }
    const numPos = Math.min(positive.length, Math.trunc(o.batchSizePerImage * o.positiveFraction));
    const numNeg = Math.min(negative.length, o.batchSizePerImage - numPos);
    const pick = (from: number[], k: number) => Int32Array.from(choose(from.length, k), (j) => from[j]!);
    return { pos: pick(positive, numPos), neg: pick(negative, numNeg) };
  };
}

/**
 * Replays recorded draws (e.g. torchvision's), one entry per image in call order. Checks each index
 * against the labels so a replay that no longer fits the targets fails loudly instead of training on it.
 */
export function replaySampler(draws: readonly Sampled[]): SampleFn {
  let call = 0;
  return (labels) => {
    const d = draws[call++];
    if (!d) throw new Error(`replaySampler: no recorded draw for call ${call - 1}`);
    for (const i of d.pos) if (!((labels[i] ?? -1) >= 1)) throw new Error(`replaySampler: index ${i} is not a positive`);
    for (const i of d.neg) if (labels[i] !== 0) throw new Error(`replaySampler: index ${i} is not a negative`);
    return d;
  };
}
