// Public API of @segmenta/maskrcnn (see README).
export { selectBackend, type BackendChoice, type BackendName, type BackendPreference } from './select-backend';
export * from './backend/index.js';
export * from './config/index.js';
export * from './model/index.js';
export * from './weights/index.js';
export * from './trainer/index.js';
export * from './checkpoint/index.js';
export * from './predict/index.js';
// model/ and checkpoint/ both name a LoadOptions; the model's (state-dict loading) keeps the plain name.
export type { LoadOptions } from './model/index.js';
export type { LoadOptions as CheckpointLoadOptions } from './checkpoint/codec.js';
export { saveCheckpoint, loadCheckpoint, readOptimizerFile } from './checkpoint/node.js';
// Both modules name a StateDict; the reader's (a Map of typed tensors) is the one callers build.
export type { StateDict } from './weights/index.js';
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
