import { QUEUES } from '@segmenta/contracts';
import type { BlobStore, Db } from '@segmenta/db';
import { repairDerivedFilesHandler } from './jobs/repair-derived-files';
import { trainRunHandler } from './jobs/train-run';
import { predictImagesHandler } from './jobs/predict-images';
import type { HandlerRegistry } from './runtime';

export interface HandlerDeps {
  db: Db;
  store: BlobStore;
  dataDir: string;
  /** Model backend in use, recorded on each run. */
  backend: string;
  /** wasm: the XNNPACK threads in use, for the run log. */
  threads?: number;
}

/** The jobs this worker serves. */
export function defaultHandlers(deps: HandlerDeps): HandlerRegistry {
  return {
    [QUEUES.maintenance]: { 'repair-derived-files': repairDerivedFilesHandler(deps) },
    [QUEUES.training]: { train: trainRunHandler(deps) },
    [QUEUES.inference]: { predict: predictImagesHandler(deps) },
  };
}
