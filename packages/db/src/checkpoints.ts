import type { Db } from './client';

/**
 * "The given checkpoint, else the run's best": what starting weights, predictions and model files
 * mean by a run's model. Null when the run has no such checkpoint (yet).
 */
export function findRunCheckpoint(db: Db, runId: string, checkpointId?: string) {
  return db.checkpoint.findFirst({
    where: { runId, ...(checkpointId ? { id: checkpointId } : { isBest: true }) },
    orderBy: { createdAt: 'desc' },
    include: { run: { select: { id: true, name: true, status: true } } },
  });
}

/** The newest checkpoint of a run: where a resume continues from. */
export function latestCheckpoint(db: Db, runId: string) {
  return db.checkpoint.findFirst({ where: { runId }, orderBy: { epoch: 'desc' } });
}
