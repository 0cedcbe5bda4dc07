export { createDb, pingDatabase, PrismaClient, type Db } from './client';
export * from './projects';
export * from './images';
export * from './classes';
export * from './splits';
export { deleteUnreferencedBlobs } from './blob-gc';
export * from './storage/blob-store';
export { LocalBlobStore } from './storage/local-blob-store';
export * from './runs';
