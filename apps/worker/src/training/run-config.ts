import type { TrainingConfig } from '@segmenta/contracts';
import { makeConfig, type AugmentConfig, type MaskRCNNConfig, type OptimizerConfig, type ScheduleConfig } from '@segmenta/maskrcnn';

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

/**
 * The augmentations the trainer applies today (flips, brightness/contrast); the "one of" photometric
 * groups and resize are accepted in the config and reported as not yet applied.
 */
export function augmentFor(cfg: TrainingConfig): { augment: AugmentConfig; ignored: string[] } {
  const augment: AugmentConfig = {};
  const ignored: string[] = [];
  for (const a of cfg.augmentations) {
    if (a.type === 'horizontalFlip') augment.horizontalFlip = a.p;
    else if (a.type === 'verticalFlip') augment.verticalFlip = a.p;
    else if (a.type === 'brightnessContrast') augment.brightnessContrast = { p: a.p, brightness: a.brightnessLimit, contrast: a.contrastLimit };
    else ignored.push(a.type);
  }
  return { augment, ignored };
}
