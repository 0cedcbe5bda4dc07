import { spawnSync } from 'node:child_process';
import { open, readFile, rm } from 'node:fs/promises';
import { UnrecoverableError, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUES } from '@segmenta/contracts';
import { cancelRun, claimRun, deleteRun, failRun, resumeRun } from '@segmenta/db';
import { startRunWatchdog } from '../src/run-watchdog';
import { until } from './helpers';
import { trainingHarness, type TrainingHarness } from './training-harness';

// Runs that stop before they end: cancelled while queued, starting or running; handed back by a worker
// shutting down; abandoned by a worker that died. Each ends in one recorded status, and resumes.
let h: TrainingHarness;

beforeAll(async () => {
  h = await trainingHarness('run interruptions');
});
afterAll(async () => {
  await h?.close();
});

const count = (runId: string) => h.db.stepMetric.count({ where: { runId } });

/** A run stopped before its first checkpoint, resumed, starts over (saying so) and completes. */
async function expectResumedFromScratch(runId: string) {
  await h.resume(runId);
  expect((await h.settled(runId)).status).toBe('completed');
  expect(await h.logLines(runId)).toContain('No checkpoint to resume from yet: starting over. Starting from random weights (seed 5)');
}

/** A run that has ended can be deleted: its row goes. */
async function expectDeletable(runId: string) {
  expect(await deleteRun(h.db, h.dataDir, runId)).toBe(true);
  expect(await h.db.trainingRun.findUnique({ where: { id: runId } })).toBeNull();
}

/** Takes the run's job and marks the run running, as a worker does, then vanishes without a word. */
async function ghostWorker(runId: string, lockMs: number) {
  const ghost = new Worker(QUEUES.training, null, { connection: { url: h.env.REDIS_URL }, prefix: h.env.QUEUE_PREFIX, lockDuration: lockMs });
  const job = await ghost.getNextJob('ghost-token');
  expect(job?.id).toBe(runId);
  const lease = await claimRun(h.db, runId, { backend: 'ghost' });
  await ghost.close();
  return lease;
}

describe('cancel', () => {
  it('of a queued run ends it at once; the worker that takes its job later leaves it cancelled; it can be deleted', async () => {
    const runId = await h.launch();
    await cancelRun(h.db, runId);
    const cancelled = await h.run(runId);
    expect([cancelled.status, cancelled.error, cancelled.finishedAt !== null]).toEqual(['cancelled', null, true]);
    const { stop } = h.worker();
    await h.jobDone(runId);
    await stop();
    expect((await h.run(runId)).status).toBe('cancelled');
    expect(await count(runId)).toBe(0);
    await expectDeletable(runId);
  });

  it('of a starting run (job taken, data still loading) stops it before the first step; a resume starts over', async () => {
    // One image's file is a pipe: loading the dataset waits on it until the test writes the bytes.
    const image = await h.db.image.findFirstOrThrow({ where: { projectId: h.project.id, split: 'train' } });
    const file = h.store.pathOf(image.originalKey);
    const bytes = await readFile(file);
    await rm(file);
    expect(spawnSync('mkfifo', [file]).status).toBe(0);
    const { stop } = h.worker();
    let runId: string;
    try {
      runId = await h.launch();
      await h.until(runId, ['running']);
      await cancelRun(h.db, runId);
      const fifo = await open(file, 'w');
      await fifo.write(bytes);
      await fifo.close();
      await h.jobDone(runId);
    } finally {
      await rm(file, { force: true });
      await h.store.put(bytes, image.originalKey.split('.').pop()!);
    }
    const run = await h.run(runId);
    expect([run.status, run.error]).toEqual(['cancelled', null]);
    expect(await count(runId)).toBe(0);
    expect(await h.logLines(runId)).toContain('Stopped before the first step: the run was cancelled; no checkpoint yet, a resume starts over');
    await expectResumedFromScratch(runId);
    await stop();
    await expectDeletable(runId);
  });

  it('of a running run stops it after the current step, keeping its checkpoint; a resume continues from there', async () => {
    const { stop } = h.worker();
    const runId = await h.launch({ epochs: 3 });
    await until(async () => (await h.run(runId)).epochsDone >= 1, 'the first epoch', 60_000);
    await cancelRun(h.db, runId);
    const cancelled = await h.run(runId);
    expect([cancelled.status, cancelled.error, cancelled.finishedAt !== null]).toEqual(['cancelled', null, true]);
    await h.jobDone(runId);
    expect(await h.logLines(runId)).toContainEqual(expect.stringMatching(/^Stopped after step \d+: the run was cancelled; keeping the checkpoint of epoch [12] to resume from$/));
    expect((await h.run(runId)).status).toBe('cancelled');

    await h.resume(runId);
    const done = await h.settled(runId);
    expect([done.status, done.epochsDone]).toEqual(['completed', 3]);
    expect(await h.logLines(runId)).toContainEqual(expect.stringMatching(/^Resuming from the checkpoint of epoch [12]; /));
    expect(await h.metricKeys(runId)).toEqual(['1/test', '1/train', '1/val', '2/test', '2/train', '2/val', '3/test', '3/train', '3/val']);
    expect(await count(runId)).toBe(3 * 2);
    await stop();
    await expectDeletable(runId);
  });
});

describe('a worker that stops', () => {
  it('on shutdown hands the run back to the queue; the next worker resumes it to the end', async () => {
    const first = h.worker();
    const runId = await h.launch({ epochs: 2 });
    await until(async () => (await count(runId)) >= 1, 'a first step', 60_000);
    await first.stop(0);
    const handedBack = await h.run(runId);
    expect([handedBack.status, handedBack.error, handedBack.finishedAt]).toEqual(['queued', null, null]);
    expect(await h.queue.getJobState(runId)).toBe('waiting');
    expect(await h.logLines(runId)).toContain('Worker shutting down: the run goes back to the queue and resumes from its last checkpoint');

    const second = h.worker();
    const done = await h.settled(runId);
    expect([done.status, done.error, done.attempt]).toEqual(['completed', null, 2]);
    expect(await h.metricKeys(runId)).toEqual(['1/test', '1/train', '1/val', '2/test', '2/train', '2/val']);
    await second.stop();
    await expectDeletable(runId);
  });

  it('without a word is taken over once its job lock lapses, and the run completes', async () => {
    const runId = await h.launch();
    await ghostWorker(runId, 1_000);
    const { stop } = h.worker({ watchdogMs: 500 });
    const done = await h.settled(runId);
    expect([done.status, done.error, done.attempt]).toEqual(['completed', null, 2]);
    const log = await h.logLines(runId);
    expect(log.some((l) => /stopped (without a word|responding)/.test(l))).toBe(true);
    expect(log).toContainEqual(expect.stringMatching(/^Restarted · Backend wasm/));
    await stop();
    await expectDeletable(runId);
  });

  it('more often than the queue allows fails the run with the reason (the watchdog); a resume starts over', async () => {
    const runId = await h.launch();
    await ghostWorker(runId, 1_000);
    const { stop } = h.worker({ maxStalledCount: 0, watchdogMs: 500 });
    const failed = await h.settled(runId);
    expect(failed.status).toBe('failed');
    expect(failed.error).toBe('its worker stopped responding 1 time(s) (killed — out of memory? — or its machine was lost) and the queue gave up on it; resume it to continue from its last checkpoint');
    expect(failed.finishedAt).not.toBeNull();
    await expectResumedFromScratch(runId);
    await stop();
    await expectDeletable(runId);
  });

  it('the watchdog leaves a just-resumed run alone while its previous job still shows failed', async () => {
    const runId = await h.launch();
    // The previous attempt's job, failed in BullMQ; the run failed with it and was just resumed.
    const ghost = new Worker(QUEUES.training, null, { connection: { url: h.env.REDIS_URL }, prefix: h.env.QUEUE_PREFIX });
    const job = await ghost.getNextJob('ghost-token');
    await job!.moveToFailed(new UnrecoverableError('init: cannot load initial weights'), 'ghost-token');
    expect(await h.queue.getJobState(runId)).toBe('failed');
    await ghost.close();
    await failRun(h.db, runId, 'init: cannot load initial weights', { from: ['queued'] });
    await resumeRun(h.db, runId);
    const sweep = async (graceMs?: number) => {
      const watchdog = startRunWatchdog({ db: h.db, queue: h.queue, intervalMs: 60_000, log: () => undefined, ...(graceMs === undefined ? {} : { graceMs }) });
      await watchdog.stop();
      return h.run(runId);
    };
    expect((await sweep()).status).toBe('queued');
    // Still there once the grace is over, it is the run's own job that failed.
    const stale = await sweep(0);
    expect([stale.status, stale.error]).toEqual(['failed', 'its job failed: init: cannot load initial weights']);
    await h.queue.remove(runId);
    await expectDeletable(runId);
  });

  it('the watchdog fails a running run whose job is gone, and a queued one whose job never arrived', async () => {
    const running = await h.create();
    await claimRun(h.db, running, { backend: 'ghost' });
    const queued = await h.create();
    const watchdog = startRunWatchdog({ db: h.db, queue: h.queue, intervalMs: 60_000, log: () => undefined, graceMs: 0 });
    try {
      await watchdog.sweep();
    } finally {
      await watchdog.stop();
    }
    for (const id of [running, queued]) {
      const r = await h.run(id);
      expect([r.status, r.error, r.finishedAt !== null]).toEqual(['failed', 'its job is gone from the queue (removed, or Redis lost its data); resume it to queue it again', true]);
    }
    // Resumed, the run gets a job again and trains; the other one is deleted.
    const { stop } = h.worker();
    await h.resume(running);
    expect((await h.settled(running)).status).toBe('completed');
    await stop();
    for (const id of [running, queued]) await expectDeletable(id);
  });
});
