export { BELOW_LOW_THRESHOLD, BETWEEN_THRESHOLDS, matchPredictions, type MatcherOptions } from './matcher';
export { balancedSampler, replaySampler, randomChoose, seededRandom, type ChooseFn, type SampleFn, type SampleLabels, type Sampled, type SamplerOptions } from './sampler';
export {
  resizeMasks, rpnTargets, labelProposals, sampleRoiTargets, withGtProposals, maskTargets,
  type ImageTargets, type RpnTargets, type RpnTargetOptions, type RoiTargetOptions, type RoiTrainingSamples,
} from './targets';
export { LOSS_NAMES, bceWithLogits, smoothL1, rpnLosses, fastRcnnLosses, maskLoss, type LossName, type RpnLossInput, type BoxLossInput } from './losses';
export { trainingLosses, resizeTargets, type TrainingTarget, type TrainingHooks, type TrainingTrace, type TrainingOutput } from './forward';
