export * from './geometry';
export * from './rle';
export * from './rasterize';
export * from './contours';
export * from './schema';
export * from './eval';
export * from './interchange';
