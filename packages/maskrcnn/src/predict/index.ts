// Node-side prediction API (sharp decodes and renders); the browser decodes images itself.
export * from './image';
export * from './predict';
export * from './overlay';
