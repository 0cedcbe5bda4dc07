// Node-side prediction API (sharp decodes and renders); the browser decodes images itself.
export * from './image.js';
export * from './predict.js';
export * from './overlay.js';
