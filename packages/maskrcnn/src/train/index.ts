export { BELOW_LOW_THRESHOLD, BETWEEN_THRESHOLDS, matchPredictions, type MatcherOptions } from './matcher.js';
export { balancedSampler, replaySampler, randomChoose, seededRandom, type ChooseFn, type SampleFn, type SampleLabels, type Sampled, type SamplerOptions } from './sampler.js';
export {
  resizeMasks, rpnTargets, labelProposals, sampleRoiTargets, withGtProposals, maskTargets,
  type ImageTargets, type RpnTargets, type RpnTargetOptions, type RoiTargetOptions, type RoiTrainingSamples,
} from './targets.js';
export { LOSS_NAMES, bceWithLogits, smoothL1, rpnLosses, fastRcnnLosses, maskLoss, type LossName, type RpnLossInput, type BoxLossInput } from './losses.js';
export { trainingLosses, resizeTargets, type TrainingTarget, type TrainingHooks, type TrainingTrace, type TrainingOutput } from './forward.js';
