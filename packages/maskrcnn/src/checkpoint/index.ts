// Browser-safe checkpoint API; Node directory helpers live in ./node.ts (import them explicitly).
export * from './manifest.js';
export * from './codec.js';
export { importTorchvision, PREDICTOR_PATTERNS, type ImportOptions, type ImportResult } from './import-torchvision.js';
export { COCO_CATEGORY_NAMES } from './coco-names.js';
