// Public API of @segmenta/maskrcnn. Modules are added here as they land (see README).
export { selectBackend, type BackendChoice, type BackendName, type BackendPreference } from './select-backend';
export * from './ops/anchors';
export * from './ops/box-coder';
export * from './ops/boxes';
export * from './ops/nms';
export * from './ops/roi-align';
export * from './ops/roi-align-gather';
export type * from './ops/roi-align-sampling';
export * from './ops/multi-scale-roi-align';
export * from './ops/transform';
export * from './ops/paste-masks';
