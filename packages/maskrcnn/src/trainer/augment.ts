import type { Augmentation } from '@segmenta/contracts';
import { boxBlur, brightnessContrast, equalize, flip, fromUint8, gamma, resize, toUint8 } from './augment-ops';
import type { TrainingSample } from './data';

// The origin project's albumentations pipeline, applied per sample with a seeded random source so a run
// is reproducible: geometric steps move pixels, boxes and masks together; photometric ones touch pixels
// only. JPEG needs a real codec, which this browser-safe package does not carry: callers plug one in
// (`sharpJpeg` under Node), and the pipeline is async so that codec may run off the main thread.

export type AugmentStep = Augmentation;
type OneOfChoice = Extract<Augmentation, { type: 'oneOf' }>['choices'][number];

/** JPEG-encode at `quality` (1–100) and decode again: uint8 RGB in, uint8 RGB of the same size out. */
export type JpegCodec = (pixels: Uint8Array, width: number, height: number, quality: number) => Uint8Array | Promise<Uint8Array>;

/**
 * Runs the pipeline for one sample somewhere else (a worker thread), with the random source
 * `seededRandom(seed)`: the result must equal `augment(sample, cfg, seededRandom(seed))`.
 */
export type AugmentRunner = (sample: TrainingSample, steps: readonly AugmentStep[], seed: number) => Promise<TrainingSample>;

export interface AugmentConfig {
  /** The pipeline, applied in order (the training config's `augmentations`). Wins over the fields below. */
  steps?: readonly AugmentStep[];
  /** Shorthand pipeline when `steps` is absent: horizontal flip, vertical flip, brightness/contrast. */
  horizontalFlip?: number;
  verticalFlip?: number;
  brightnessContrast?: { p: number; brightness: number; contrast: number };
  /** Required when a `oneOf` group offers `jpegCompression`. */
  jpeg?: JpegCodec;
  /** Where the pipeline runs; on the calling thread when absent. The runner brings its own JPEG codec. */
  runner?: AugmentRunner;
}

export function augmentSteps(cfg: AugmentConfig): readonly AugmentStep[] {
  if (cfg.steps) return cfg.steps;
  const steps: AugmentStep[] = [];
  if (cfg.horizontalFlip) steps.push({ type: 'horizontalFlip', p: cfg.horizontalFlip });
  if (cfg.verticalFlip) steps.push({ type: 'verticalFlip', p: cfg.verticalFlip });
  const bc = cfg.brightnessContrast;
  if (bc) steps.push({ type: 'brightnessContrast', p: bc.p, brightnessLimit: bc.brightness, contrastLimit: bc.contrast });
  return steps;
}

/** Fails before training starts rather than at the first sample that draws JPEG. */
export function checkAugmentConfig(cfg: AugmentConfig): void {
  const needsJpeg = augmentSteps(cfg).some((s) => s.type === 'oneOf' && s.choices.some((c) => c.type === 'jpegCompression'));
  if (needsJpeg && !cfg.jpeg && !cfg.runner) throw new Error('the augmentation pipeline uses jpegCompression but no JPEG codec was given (AugmentConfig.jpeg; sharpJpeg under Node)');
}

const uniform = (random: () => number, lo: number, hi: number) => lo + random() * (hi - lo);
/** Integer uniform in [lo, hi], as albumentations' random.randint (bounds in either order). */
const randint = (random: () => number, a: number, b: number) => {
  const [lo, hi] = a <= b ? [a, b] : [b, a];
  return lo + Math.min(hi - lo, Math.floor(random() * (hi - lo + 1)));
};

async function applyChoice(s: TrainingSample, c: OneOfChoice, cfg: AugmentConfig, random: () => number): Promise<TrainingSample> {
  switch (c.type) {
    case 'gamma':
      return gamma(s, uniform(random, c.gammaMin, c.gammaMax));
    case 'blur':
      // Kernel 2r+1 with r uniform in 1..radiusMax: albumentations' odd kernel sizes 3..blur_limit.
      return boxBlur(s, randint(random, 1, Math.max(1, Math.floor(c.radiusMax))));
    case 'equalize':
      return equalize(s);
    case 'jpegCompression': {
      if (!cfg.jpeg) throw new Error('jpegCompression needs a JPEG codec (AugmentConfig.jpeg)');
      const quality = randint(random, c.qualityMin, c.qualityMax);
      const out = await cfg.jpeg(toUint8(s.pixels), s.width, s.height, quality);
      if (out.length !== s.pixels.length) throw new Error(`the JPEG codec returned ${out.length} values for a ${s.width}×${s.height} RGB image`);
      return { ...s, pixels: fromUint8(out) };
    }
  }
}

/** One sample through the pipeline. Same sample, config and random sequence → same output. */
export async function augment(sample: TrainingSample, cfg: AugmentConfig, random: () => number): Promise<TrainingSample> {
  let s = sample;
  for (const step of augmentSteps(cfg)) {
    if (!(step.p > 0) || random() >= step.p) continue;
    switch (step.type) {
      case 'horizontalFlip':
        s = flip(s, true);
        break;
      case 'verticalFlip':
        s = flip(s, false);
        break;
      case 'brightnessContrast':
        s = brightnessContrast(s, uniform(random, -step.brightnessLimit, step.brightnessLimit), uniform(random, -step.contrastLimit, step.contrastLimit));
        break;
      case 'oneOf':
        s = await applyChoice(s, step.choices[Math.min(step.choices.length - 1, Math.floor(random() * step.choices.length))]!, cfg, random);
        break;
      case 'resize':
        s = resize(s, step.width, step.height);
        break;
    }
  }
  return s;
}
