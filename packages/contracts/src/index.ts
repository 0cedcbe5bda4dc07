export * from './errors';
export * from './env';
export * from './queues';
export * from './training-config';
export * from './projects';
export * from './health';
export * from './images';
export * from './random';
