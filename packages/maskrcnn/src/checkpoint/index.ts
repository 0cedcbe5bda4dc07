// Browser-safe checkpoint API; Node directory helpers live in ./node.ts (import them explicitly).
export * from './manifest';
export * from './codec';
export { importTorchvision, PREDICTOR_PATTERNS, type ImportOptions, type ImportResult } from './import-torchvision';
export { COCO_CATEGORY_NAMES } from './coco-names';
