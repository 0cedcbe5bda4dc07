export { train, evaluateLosses, TrainingDivergedError, type TrainOptions, type EpochResult, type StepInfo, type LossSummary } from './loop.js';
export { createOptimizer, globalNorm, type Optimizer, type OptimizerConfig, type SlotTensor } from './optimizer.js';
export { learningRateAt, type ScheduleConfig } from './schedule.js';
export { augment, type AugmentConfig } from './augment.js';
export { loadCocoDataset, cocoTargets, decodeRgb, type TrainingSample, type LoadedDataset } from './data.js';
export { syntheticSample } from './synthetic.js';
