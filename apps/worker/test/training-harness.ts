import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { JOB_OPTIONS, QUEUES, trainingConfigSchema } from '@segmenta/contracts';
import { createDb, createRun, LocalBlobStore, resumeRun, takeDatasetSnapshot, type Db } from '@segmenta/db';
import { registerAllGradients, registerWasmTrainingKernels, selectBackend } from '@segmenta/maskrcnn';
import { defaultHandlers } from '../src/handlers';
import { jsonLog } from '../src/log';
import { startRunWatchdog } from '../src/run-watchdog';
import { startWorkerRuntime, type RuntimeOptions } from '../src/runtime';
import { connectRedis } from '../src/services';
import { annotatedProject, testEnv, until } from './helpers';

const quiet = jsonLog('test');
const log: typeof quiet = (level, msg, fields) => level === 'error' && quiet(level, msg, fields);

/**
 * Real training runs in this process: the worker runtime with the real handlers on the wasm backend,
 * a tiny project (2 train, 1 val, 1 test images) in PostgreSQL and a data dir of its own.
 */
export async function trainingHarness(name: string) {
  const env = testEnv();
  const db: Db = createDb(env.DATABASE_URL);
  const redis: Redis = connectRedis(env.REDIS_URL);
  await redis.connect();
  const queue = new Queue(QUEUES.training, { connection: redis, prefix: env.QUEUE_PREFIX });
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'segmenta-lifecycle-'));
  const store = new LocalBlobStore(dataDir);
  await selectBackend('wasm', { threads: 1 });
  await registerAllGradients();
  registerWasmTrainingKernels();
  const project = await annotatedProject(db, store, name, ['train', 'train', 'val', 'test']);
  const stops: (() => Promise<void>)[] = [];

  const h = {
    env, db, redis, queue, dataDir, store, project,
    /** A queued run, as the web app creates it, without its job yet. */
    async create(overrides: Record<string, unknown> = {}) {
      const config = trainingConfigSchema.parse({ name: 'lifecycle', preset: 'tiny', epochs: 1, batchSize: 1, seed: 5, ...overrides });
      return (await createRun(db, project.id, config, await takeDatasetSnapshot(db, project.id))).id;
    },
    enqueue: (runId: string, resume = false) => queue.add('train', { runId, resume }, { ...JOB_OPTIONS, jobId: runId }),
    async launch(overrides: Record<string, unknown> = {}) {
      const runId = await h.create(overrides);
      await h.enqueue(runId);
      return runId;
    },
    /** As the web's resume does: the old job out, the row back to queued, a new job in. */
    async resume(runId: string) {
      await queue.remove(runId);
      await resumeRun(db, runId);
      await h.enqueue(runId, true);
    },
    run: (runId: string) => db.trainingRun.findUniqueOrThrow({ where: { id: runId } }),
    async until(runId: string, statuses: string[], timeoutMs = 90_000) {
      return until(async () => {
        const r = await h.run(runId);
        return statuses.includes(r.status) ? r : undefined;
      }, `run ${runId} to be ${statuses.join(' or ')}`, timeoutMs);
    },
    settled: (runId: string) => h.until(runId, ['completed', 'failed', 'cancelled']),
    /** The job's end in BullMQ, once the worker has let go of it. */
    jobDone: (runId: string) => until(async () => ['completed', 'failed'].includes(await queue.getJobState(runId)), `job ${runId} to finish`, 60_000),
    logLines: async (runId: string) => (await db.runLog.findMany({ where: { runId }, orderBy: { id: 'asc' } })).map((l) => l.message),
    metricKeys: async (runId: string) => (await db.epochMetric.findMany({ where: { runId }, select: { epoch: true, split: true } })).map((m) => `${m.epoch}/${m.split}`).sort(),
    /**
     * A worker runtime (and its run watchdog), stopped at teardown if the test does not. Every one has the
     * same short lock, so stalled jobs are found within seconds (a queue's stalled checks run at the pace
     * of the worker that ran the last one).
     */
    worker(opts: Partial<Pick<RuntimeOptions, 'maxStalledCount'>> & { watchdogMs?: number } = {}) {
      const runtime = startWorkerRuntime({ connection: redis, prefix: env.QUEUE_PREFIX, handlers: defaultHandlers({ db, store, dataDir, backend: 'wasm' }), concurrency: 1, modelBackend: 'wasm', log, lockMs: 3_000, ...opts });
      const watchdog = opts.watchdogMs ? startRunWatchdog({ db, queue, intervalMs: opts.watchdogMs, log }) : undefined;
      let stopped = false;
      const stop = async (graceMs = 1_000) => {
        if (stopped) return;
        stopped = true;
        await watchdog?.stop();
        await runtime.stop(graceMs);
      };
      stops.push(stop);
      return { runtime, stop };
    },
    async close() {
      for (const stop of stops) await stop();
      await queue.obliterate({ force: true });
      await queue.close();
      redis.disconnect();
      await db.project.delete({ where: { id: project.id } });
      await db.$disconnect();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return h;
}

export type TrainingHarness = Awaited<ReturnType<typeof trainingHarness>>;
