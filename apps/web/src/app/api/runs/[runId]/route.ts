import { NextResponse } from 'next/server';
import { AppError, parseOrThrow, runIdParamSchema } from '@segmenta/contracts';
import { audit, deleteRun, getRun } from '@segmenta/db';
import { getServer } from '@/server/context';
import { route } from '@/server/http';
import { requireOwner } from '@/server/auth';

export const dynamic = 'force-dynamic';

/** Status, progress, config, backend, dataset snapshot, every epoch's metrics, checkpoints. */
export const GET = route<{ runId: string }>(async (_req, { params, principal }) => {
  const { runId } = parseOrThrow(runIdParamSchema, await params, 'path');
  await requireOwner(principal, 'run', runId, 'view');
  const run = await getRun(getServer().db, runId);
  if (!run) throw new AppError('not_found', `Run ${runId} does not exist`);
  return NextResponse.json(run, { headers: { 'Cache-Control': 'no-store' } });
});

/**
 * Deletes a run that is not training, with its metrics, logs, checkpoints, predictions and the
 * checkpoint files nothing else uses: 409 while it runs (cancel first), 204 when gone.
 */
export const DELETE = route<{ runId: string }>(async (_req, { params, principal }) => {
  const { runId } = parseOrThrow(runIdParamSchema, await params, 'path');
  await requireOwner(principal, 'run', runId, 'delete');
  const { db, env, queues } = getServer();
  if (!(await deleteRun(db, env.DATA_DIR, runId))) throw new AppError('not_found', `Run ${runId} does not exist`);
  // A queued run's job would find no row and fail noisily; an active job is locked and stays.
  await queues.training.remove(runId).catch(() => 0);
  await audit(db, principal.userId, 'run.delete', { type: 'run', id: runId });
  return new Response(null, { status: 204 });
});
