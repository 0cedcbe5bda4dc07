import { QUEUES } from '@segmenta/contracts';
import type { BlobStore, Db } from '@segmenta/db';
import { repairDerivedFilesHandler } from './jobs/repair-derived-files';
import type { HandlerRegistry } from './runtime';

/**
 * The jobs this worker serves. Training and inference handlers join when the model issues land; until
 * then their jobs wait in their queues (visible in /api/health) rather than being failed.
 */
export function defaultHandlers(deps: { db: Db; store: BlobStore }): HandlerRegistry {
  return {
    [QUEUES.maintenance]: { 'repair-derived-files': repairDerivedFilesHandler(deps) },
  };
}
