import 'server-only';
import { AppError, runCancelKey, type TrainingConfig } from '@segmenta/contracts';
import { createRun, getRun, takeDatasetSnapshot } from '@segmenta/db';
import { getServer } from './context';

const JOB_OPTIONS = { attempts: 3, backoff: { type: 'exponential', delay: 5_000 }, removeOnComplete: 1_000, removeOnFail: 1_000 } as const;

/** Checks what only the database can tell (split sizes, classes, initial weights), snapshots the data, enqueues. */
export async function launchRun(projectId: string, config: TrainingConfig, createdById: string | null = null) {
  const { db, queues } = getServer();
  if (!(await db.project.findUnique({ where: { id: projectId }, select: { id: true } }))) throw new AppError('not_found', `Project ${projectId} does not exist`);
  const snapshot = await takeDatasetSnapshot(db, projectId);
  const bad = (path: string, message: string) => new AppError('validation_failed', `Invalid training config: ${path}: ${message}`, [{ path, message }]);
  if (snapshot.classes.length === 0) throw bad('(project)', 'the project has no label classes');
  if (snapshot.splits.train.length === 0) throw bad('(dataset)', 'the train split has no annotated images; assign splits and annotate first');
  if (config.batchSize > snapshot.splits.train.length) throw bad('batchSize', `is ${config.batchSize} but the train split has ${snapshot.splits.train.length} annotated image(s)`);
  if (config.init.kind === 'run') {
    const best = await db.checkpoint.findFirst({ where: { runId: config.init.runId, ...(config.init.checkpointId ? { id: config.init.checkpointId } : { isBest: true }) } });
    if (!best) throw bad('init.runId', 'that run has no checkpoint to start from');
  }
  const run = await createRun(db, projectId, config, snapshot, createdById);
  await queues.training.add('train', { runId: run.id, resume: false }, { ...JOB_OPTIONS, jobId: run.id });
  return run;
}

export async function cancelRun(runId: string) {
  const { db, queues, redis, env } = getServer();
  const run = await getRun(db, runId);
  if (!run) throw new AppError('not_found', `Run ${runId} does not exist`);
  if (run.status === 'queued') {
    await queues.training.remove(runId).catch(() => 0);
    await db.trainingRun.update({ where: { id: runId }, data: { status: 'cancelled', finishedAt: new Date() } });
  } else if (run.status === 'running') {
    // The worker checks this flag between steps and stops, keeping its last checkpoint.
    await redis.set(runCancelKey(env.QUEUE_PREFIX, runId), '1', 'EX', 86_400);
  } else {
    throw new AppError('conflict', `Run ${runId} is ${run.status}; only queued or running runs can be cancelled`);
  }
  return getRun(db, runId);
}

export async function resumeRun(runId: string) {
  const { db, queues, redis, env } = getServer();
  const run = await getRun(db, runId);
  if (!run) throw new AppError('not_found', `Run ${runId} does not exist`);
  if (run.status !== 'cancelled' && run.status !== 'failed') throw new AppError('conflict', `Run ${runId} is ${run.status}; only cancelled or failed runs can be resumed`);
  await redis.del(runCancelKey(env.QUEUE_PREFIX, runId));
  await queues.training.remove(runId).catch(() => 0);
  await db.trainingRun.update({ where: { id: runId }, data: { status: 'queued', error: null, finishedAt: null } });
  await queues.training.add('train', { runId, resume: true }, { ...JOB_OPTIONS, jobId: runId });
  return getRun(db, runId);
}
