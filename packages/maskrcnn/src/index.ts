// Public API of @segmenta/maskrcnn (see README).
export { selectBackend, machineThreads, type BackendChoice, type BackendName, type BackendPreference, type SelectOptions } from './select-backend';
export * from './backend/index';
export * from './config/index';
export * from './model/index';
export * from './weights/index';
export * from './trainer/index';
export * from './checkpoint/index';
export * from './predict/index';
// model/ and checkpoint/ both name a LoadOptions; the model's (state-dict loading) keeps the plain name.
export type { LoadOptions } from './model/index';
export type { LoadOptions as CheckpointLoadOptions } from './checkpoint/codec';
export { saveCheckpoint, loadCheckpoint, readOptimizerFile } from './checkpoint/node';
// Both modules name a StateDict; the reader's (a Map of typed tensors) is the one callers build.
export type { StateDict } from './weights/index';
export {
  generateAnchors,
  cellAnchors,
  gridAnchors,
  numAnchorsPerLocation,
} from './ops/anchors';
export * from './ops/box-coder';
export * from './ops/boxes';
export * from './ops/nms';
export * from './ops/roi-align';
export * from './ops/roi-align-gather';
export * from './ops/multi-scale-roi-align';
export { IMAGENET_MEAN, IMAGENET_STD, resizedSize, normalizeImage, resizeImage, batchImages, transformImages, resizeBoxes } from './ops/transform';
export * from './ops/paste-masks';
