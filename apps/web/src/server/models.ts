import 'server-only';
import { AppError } from '@segmenta/contracts';
import { findRunCheckpoint, type Principal } from '@segmenta/db';
import { requireOwner } from './auth/project-access';
import { getServer } from './context';

// Models themselves are loaded and cached inside the inference threads (inference-worker.ts).

const whyNoCheckpoint: Record<string, string> = {
  queued: 'it is queued and saves its first checkpoint at the end of its first epoch',
  running: 'it is training and saves its first checkpoint at the end of its first epoch',
  failed: 'it failed before its first epoch ended; train it again',
  cancelled: 'it was cancelled before its first epoch ended; resume or train it again',
  completed: 'its checkpoints were removed',
};

/** "Run … has no checkpoint yet: <why, from its status>" — one phrasing for predict and the model-file routes. */
export function noCheckpointYet(runId: string, status: string | undefined): string {
  return `Run ${runId} has no checkpoint yet: ${status === undefined ? 'the run no longer exists' : (whyNoCheckpoint[status] ?? `its status is ${status}`)}`;
}

/**
 * The best checkpoint of `runId`, or the newest best checkpoint of any run: 404 for an
 * unknown run, 409 for a run without a checkpoint (saying why). A run still training answers with
 * its best checkpoint so far; `run.status` lets the caller say so.
 */
export async function resolveCheckpoint(principal: Principal, runId?: string) {
  const { db } = getServer();
  if (runId) {
    await requireOwner(principal, 'run', runId, 'predict');
    const run = await db.trainingRun.findUnique({ where: { id: runId }, select: { status: true } });
    if (!run) throw new AppError('not_found', `Run ${runId} does not exist`);
    const ckpt = await findRunCheckpoint(db, runId);
    if (!ckpt) throw new AppError('conflict', noCheckpointYet(runId, run.status));
    return ckpt;
  }
  // "The latest best" among the projects this user may run predictions in.
  const projects = principal.role === 'admin' ? null : principal.role === 'annotator' ? [] : (await db.projectMember.findMany({ where: { userId: principal.userId, role: { in: ['researcher', 'admin'] } }, select: { projectId: true } })).map((m) => m.projectId);
  const ckpt = await db.checkpoint.findFirst({
    where: { isBest: true, ...(projects ? { run: { projectId: { in: projects } } } : {}) },
    orderBy: { createdAt: 'desc' },
    include: { run: { select: { id: true, name: true, status: true } } },
  });
  if (!ckpt) throw new AppError('not_found', 'No trained model yet: train a run first');
  return ckpt;
}
