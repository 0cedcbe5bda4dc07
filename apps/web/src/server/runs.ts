import 'server-only';
import { AppError, JOB_OPTIONS, type ResumeRunDto, type TrainingConfig } from '@segmenta/contracts';
import { assertMoveAllowed, cancelRun, createRun, failRun, findRunCheckpoint, getRun, latestCheckpoint, resumeRun, takeDatasetSnapshot } from '@segmenta/db';
import { getServer } from './context';

/** How long a resume waits for the worker of the previous attempt to stop (it stops after its current step). */
const PREVIOUS_JOB_WAIT_MS = 15_000;

/** The run's job on the training queue (its id is the run's); a run whose job cannot be queued ends failed, saying why. */
async function enqueue(runId: string, resume: boolean): Promise<void> {
  const { db, queues } = getServer();
  try {
    await queues.training.add('train', { runId, resume }, { ...JOB_OPTIONS, jobId: runId });
  } catch (err) {
    const message = `could not queue the run: ${(err as Error).message}`;
    await failRun(db, runId, message, { from: ['queued'] });
    throw new AppError('service_unavailable', `Run ${runId} ${message}`, [], 5);
  }
}

/** Checks what only the database can tell (split sizes, classes, initial weights), snapshots the data, enqueues. */
export async function launchRun(projectId: string, config: TrainingConfig, createdById: string | null = null) {
  const { db } = getServer();
  if (!(await db.project.findUnique({ where: { id: projectId }, select: { id: true } }))) throw new AppError('not_found', `Project ${projectId} does not exist`);
  const snapshot = await takeDatasetSnapshot(db, projectId);
  const bad = (path: string, message: string) => new AppError('validation_failed', `Invalid training config: ${path}: ${message}`, [{ path, message }]);
  if (snapshot.classes.length === 0) throw bad('(project)', 'the project has no label classes');
  if (snapshot.splits.train.length === 0) throw bad('(dataset)', 'the train split has no annotated images; assign splits and annotate first');
  if (config.batchSize > snapshot.splits.train.length) throw bad('batchSize', `is ${config.batchSize} but the train split has ${snapshot.splits.train.length} annotated image(s)`);
  if (config.init.kind === 'run' && !(await findRunCheckpoint(db, config.init.runId, config.init.checkpointId))) throw bad('init.runId', 'that run has no checkpoint to start from');
  const run = await createRun(db, projectId, config, snapshot, createdById);
  await enqueue(run.id, false);
  return run;
}

/**
 * Cancels a queued or running run at once: a queued run's job is dropped, a worker training it stops
 * after its current step (its next write is refused) and keeps its checkpoints for a resume.
 */
export async function cancelTraining(runId: string) {
  const { db, queues } = getServer();
  await cancelRun(db, runId, [{ level: 'warn', message: 'Cancelled; a worker training the run stops after its current step' }]);
  // A job a worker holds is locked and stays: that worker finds the run cancelled and ends the job.
  await queues.training.remove(runId).catch(() => 0);
  return getRun(db, runId);
}

/**
 * Queues a failed or cancelled run again. The next worker continues from its newest checkpoint, or
 * starts over when there is none; the answer and the run log say which.
 */
export async function resumeTraining(runId: string): Promise<ResumeRunDto> {
  const { db, queues } = getServer();
  const run = await db.trainingRun.findUnique({ where: { id: runId }, select: { status: true } });
  if (!run) throw new AppError('not_found', `Run ${runId} does not exist`);
  assertMoveAllowed(runId, run.status, 'resume');
  // The new job takes the run's id, so the previous one must be gone: wait for a worker still stopping it.
  for (const started = Date.now(); (await queues.training.getJobState(runId)) === 'active'; ) {
    if (Date.now() - started > PREVIOUS_JOB_WAIT_MS) throw new AppError('conflict', `Run ${runId}'s previous attempt is still stopping on a worker (it stops after its current step); try again in a moment`);
    await new Promise((r) => setTimeout(r, 250));
  }
  // Before the run is queued again, so nothing sees a queued run beside the previous attempt's failed job.
  await queues.training.remove(runId).catch(() => 0);
  const kept = await latestCheckpoint(db, runId);
  const message = kept ? `Resumed: continues from the checkpoint of epoch ${kept.epoch}` : 'Resumed: there is no checkpoint yet, so the run starts over';
  await resumeRun(db, runId, [{ level: 'info', message }]);
  await enqueue(runId, true);
  return { ...(await getRun(db, runId))!, resume: { fromEpoch: kept?.epoch ?? null, message } };
}
