// Browser-safe API of @segmenta/maskrcnn (`@segmenta/maskrcnn/browser`): the model, checkpoints
// fetched over HTTP, detection → COCO-style results, and backend choice for browsers. Nothing here
// reaches node:fs, sharp or worker threads, so client bundles can import it; the root index stays
// the Node API.
export type { MaskRCNNConfig } from './config/types';
export { MaskRCNN } from './model/maskrcnn';
export { fetchCheckpoint, loadCheckpointFromBytes, type LoadedCheckpoint, type LoadOptions as CheckpointLoadOptions } from './checkpoint/codec';
export { CheckpointError, MANIFEST_FILE, OPTIMIZER_FILE, parseManifest, WEIGHTS_FILE, type CheckpointManifest } from './checkpoint/manifest';
export {
  className,
  DEFAULT_SCORE_THRESHOLD,
  predictDetections,
  predictImage,
  toCocoResults,
  type CocoResult,
  type Detection,
  type Prediction,
  type PredictOptions,
  type Predictor,
} from './predict/predict';
export type { RgbImage } from './predict/image';
export { rgbImageFromRgba } from './predict/rgba';
export { decodeRle, encodeMask, type Rle } from './predict/rle';
export { BROWSER_BACKENDS, selectBrowserBackend, type BrowserBackendChoice, type BrowserBackendName, type BrowserBackendOptions, type BrowserBackendPreference } from './browser-backend';
