export { train, evaluateLosses, TrainingDivergedError, type TrainOptions, type EpochResult, type StepInfo, type LossSummary } from './loop';
export { createOptimizer, globalNorm, type Optimizer, type OptimizerConfig, type SlotTensor } from './optimizer';
export { learningRateAt, type ScheduleConfig } from './schedule';
export { augment, augmentSteps, checkAugmentConfig, type AugmentConfig, type AugmentRunner, type AugmentStep, type JpegCodec } from './augment';
export { BatchPrefetcher, epochOrder, augmentSeed } from './batches';
// The thread pool is Node-only and stays out of this index (bundlers cannot resolve its thread entry):
// import it from '@segmenta/maskrcnn/augment-pool'.
export { loadCocoDataset, cocoTargets, decodeRgb, sharpJpeg, type TrainingSample, type LoadedDataset } from './data';
export { syntheticSample } from './synthetic';
export { detectionMetrics, type DetectionMetrics } from './metrics';
