import type { TrainingConfig } from '@segmenta/contracts';
import { makeConfig, sharpJpeg, type AugmentConfig, type MaskRCNNConfig, type OptimizerConfig, type ScheduleConfig } from '@segmenta/maskrcnn';
import { createAugmentPool, type AugmentPool } from '@segmenta/maskrcnn/augment-pool';

/** The researcher's training config (contracts) → the model's config and the trainer's options. */
export function modelConfigFor(cfg: TrainingConfig, classCount: number): MaskRCNNConfig {
  return makeConfig(cfg.preset, {
    numClasses: classCount + 1,
    ...(cfg.backbone ? { backbone: { kind: cfg.backbone } } : {}),
    ...(cfg.imageSize ? { transform: { minSize: cfg.imageSize.minSize, maxSize: cfg.imageSize.maxSize } } : {}),
  });
}

export function optimizerFor(cfg: TrainingConfig): OptimizerConfig {
  const o = cfg.optimizer;
  return o.type === 'adam' ? { type: 'adam', weightDecay: o.weightDecay, beta1: o.beta1, beta2: o.beta2 } : { type: 'sgd', weightDecay: o.weightDecay, momentum: o.momentum };
}

export function scheduleFor(cfg: TrainingConfig, stepsPerEpoch: number): ScheduleConfig {
  return {
    type: cfg.schedule.type,
    baseLr: cfg.optimizer.learningRate,
    warmupSteps: cfg.schedule.warmupSteps,
    stepSize: cfg.schedule.stepSizeEpochs * stepsPerEpoch,
    gamma: cfg.schedule.gamma,
    totalSteps: cfg.epochs * stepsPerEpoch,
  };
}

let pool: AugmentPool | undefined;

/**
 * The researcher's augmentation pipeline, applied in order as configured, with sharp as the JPEG codec,
 * on a worker thread shared by this process's runs (idle threads do not keep it alive), so that it
 * overlaps the synchronous training step on the other core.
 */
export function augmentFor(cfg: TrainingConfig): AugmentConfig {
  pool ??= createAugmentPool({ threads: 1 });
  return { steps: cfg.augmentations, jpeg: sharpJpeg, runner: pool.run };
}
