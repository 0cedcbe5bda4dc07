export { train, evaluateLosses, TrainingDivergedError, type TrainOptions, type EpochResult, type StepInfo, type LossSummary } from './loop';
export { createOptimizer, globalNorm, type Optimizer, type OptimizerConfig, type SlotTensor } from './optimizer';
export { learningRateAt, type ScheduleConfig } from './schedule';
export { augment, type AugmentConfig } from './augment';
export { loadCocoDataset, cocoTargets, decodeRgb, type TrainingSample, type LoadedDataset } from './data';
export { syntheticSample } from './synthetic';
export { detectionMetrics, type DetectionMetrics } from './metrics';
