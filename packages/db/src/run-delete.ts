import { rm } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '@segmenta/contracts';
import type { Db } from './client';

/** Checkpoint rows hold paths relative to DATA_DIR; refuse anything that would leave it. */
function insideDataDir(dataDir: string, rel: string): string | null {
  const root = path.resolve(dataDir);
  const abs = path.resolve(root, rel);
  return abs.startsWith(root + path.sep) ? abs : null;
}

/**
 * Deletes a run that is not training: its row (metrics, step metrics, logs, checkpoints and
 * predictions cascade), then the checkpoint files no remaining row points to. Refuses a running run
 * and a run whose checkpoint a queued or running run is still to start from. Files go after the rows,
 * so a crash in between leaves an orphaned directory, never a row without its files.
 */
export async function deleteRun(db: Db, dataDir: string, runId: string): Promise<boolean> {
  const run = await db.trainingRun.findUnique({ where: { id: runId }, select: { status: true, checkpoints: { select: { path: true } } } });
  if (!run) return false;
  if (run.status === 'running') throw new AppError('conflict', `Run ${runId} is running; cancel it first, then delete it`);
  const dependants = await db.trainingRun.findMany({
    where: { id: { not: runId }, status: { in: ['queued', 'running'] }, config: { path: ['init', 'runId'], equals: runId } },
    select: { name: true },
  });
  if (dependants.length) throw new AppError('conflict', `Run ${runId} is the starting point of ${dependants.map((d) => `"${d.name}"`).join(', ')}, which has not loaded it yet; wait or cancel first`);
  // Conditional on status so a worker picking the run up in between wins rather than losing its row.
  const { count } = await db.trainingRun.deleteMany({ where: { id: runId, status: { not: 'running' } } });
  if (count === 0) {
    if (await db.trainingRun.findUnique({ where: { id: runId }, select: { id: true } })) throw new AppError('conflict', `Run ${runId} started running; cancel it first, then delete it`);
    return false;
  }
  const paths = [...run.checkpoints.map((c) => c.path), path.join('checkpoints', runId)];
  const stillUsed = new Set((await db.checkpoint.findMany({ where: { path: { in: paths } }, select: { path: true } })).map((c) => c.path));
  for (const rel of paths) {
    const abs = stillUsed.has(rel) ? null : insideDataDir(dataDir, rel);
    if (abs) await rm(abs, { recursive: true, force: true });
  }
  return true;
}
