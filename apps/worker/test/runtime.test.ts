import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { QUEUES, workerHeartbeatKey } from '@segmenta/contracts';
import { createDb, createProject, LocalBlobStore, type Db } from '@segmenta/db';
import { processUpload, renderScene } from '@segmenta/imaging';
import { defaultHandlers } from '../src/handlers';
import { jsonLog } from '../src/log';
import { defineHandler, startWorkerRuntime } from '../src/runtime';
import { connectRedis } from '../src/services';
import { testEnv, until } from './helpers';

const env = testEnv();
const quiet = jsonLog('test');
const log: typeof quiet = (level, msg, fields) => level === 'error' && quiet(level, msg, fields);
let db: Db;
let redis: Redis;
let events: QueueEvents;
let queue: Queue;
let dataDir: string;
let store: LocalBlobStore;

beforeAll(async () => {
  db = createDb(env.DATABASE_URL);
  redis = connectRedis(env.REDIS_URL);
  await redis.connect();
  queue = new Queue(QUEUES.maintenance, { connection: redis, prefix: env.QUEUE_PREFIX });
  events = new QueueEvents(QUEUES.maintenance, { connection: { url: env.REDIS_URL }, prefix: env.QUEUE_PREFIX });
  await events.waitUntilReady();
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'segmenta-worker-'));
  store = new LocalBlobStore(dataDir);
});

afterAll(async () => {
  await queue.obliterate({ force: true });
  await Promise.all([queue.close(), events.close()]);
  redis.disconnect();
  await db.$disconnect();
  await rm(dataDir, { recursive: true, force: true });
});

async function addImage(projectId: string, seed: number) {
  const scene = await renderScene({ width: 120, height: 90, classCount: 3, seed });
  const p = await processUpload(scene.png);
  const [o, w, t] = await Promise.all([store.put(p.original, p.ext), store.put(p.web, 'jpg'), store.put(p.thumb, 'webp')]);
  return db.image.create({
    data: { projectId, sha256: o.sha256, fileName: `s${seed}.png`, mimeType: p.mimeType, width: p.width, height: p.height, sizeBytes: o.size, originalKey: o.key, webKey: w.key, thumbKey: t.key },
  });
}

describe('worker runtime on real Redis and PostgreSQL', () => {
  it('picks up a repair job, regenerates the missing thumbnail and records the result', async () => {
    const project = await createProject(db, { name: `repair ${Date.now()}` });
    const broken = await addImage(project.id, 1);
    await addImage(project.id, 2);
    await store.delete(broken.thumbKey);

    const runtime = startWorkerRuntime({ connection: redis, prefix: env.QUEUE_PREFIX, handlers: defaultHandlers({ db, store, dataDir, backend: 'wasm' }), concurrency: 1, modelBackend: 'wasm', log });
    try {
      const job = await queue.add('repair-derived-files', { projectId: project.id });
      const result = await job.waitUntilFinished(events, 30_000);
      expect(result).toEqual({ checked: 2, missing: 1, repaired: 1, failures: [] });
      const row = await db.image.findUniqueOrThrow({ where: { id: broken.id } });
      expect(await store.exists(row.thumbKey)).toBe(true);
      expect((await queue.getJob(job.id!))!.returnvalue).toEqual(result);
    } finally {
      await runtime.stop(1_000);
      await db.project.delete({ where: { id: project.id } });
    }
  });

  it('fails a job with an invalid payload at once, naming the field, without retrying', async () => {
    const runtime = startWorkerRuntime({ connection: redis, prefix: env.QUEUE_PREFIX, handlers: defaultHandlers({ db, store, dataDir, backend: 'wasm' }), concurrency: 1, modelBackend: 'wasm', log });
    try {
      const job = await queue.add('repair-derived-files', { projectId: 'not-a-uuid' }, { attempts: 3 });
      await expect(job.waitUntilFinished(events, 30_000)).rejects.toThrow('invalid maintenance/repair-derived-files payload: data.projectId: must be a UUID');
      const after = await queue.getJob(job.id!);
      expect(after!.attemptsMade).toBe(1);
    } finally {
      await runtime.stop(1_000);
    }
  });

  it('beats a heartbeat with its model backend while running and removes it on stop', async () => {
    const runtime = startWorkerRuntime({ connection: redis, prefix: env.QUEUE_PREFIX, handlers: defaultHandlers({ db, store, dataDir, backend: 'wasm' }), concurrency: 2, modelBackend: 'wasm', log, id: 'hb-test' });
    const raw = await until(() => redis.get(workerHeartbeatKey(env.QUEUE_PREFIX, 'hb-test')).then((v) => v ?? undefined), 'heartbeat');
    expect(JSON.parse(raw)).toMatchObject({ id: 'hb-test', modelBackend: 'wasm', concurrency: 2, queues: [QUEUES.maintenance, QUEUES.training, QUEUES.inference] });
    await runtime.stop(1_000);
    expect(await redis.get(workerHeartbeatKey(env.QUEUE_PREFIX, 'hb-test'))).toBeNull();
  });

  it('on shutdown hands a running job back to the queue, and the next worker runs it once', async () => {
    const started: string[] = [];
    const blocking = defineHandler(z.object({ n: z.number() }), async ({ signal }) => {
      started.push('first');
      await new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true }));
    });
    const first = startWorkerRuntime({ connection: redis, prefix: env.QUEUE_PREFIX, handlers: { [QUEUES.maintenance]: { long: blocking } }, concurrency: 1, modelBackend: 'wasm', log });
    const job = await queue.add('long', { n: 1 });
    await until(async () => (await job.getState()) === 'active', 'job to become active');
    await first.stop(200);
    expect(await job.getState()).toBe('waiting');
    expect(started).toEqual(['first']);

    const finishing = defineHandler(z.object({ n: z.number() }), async ({ data }) => {
      started.push('second');
      return { doubled: data.n * 2 };
    });
    const second = startWorkerRuntime({ connection: redis, prefix: env.QUEUE_PREFIX, handlers: { [QUEUES.maintenance]: { long: finishing } }, concurrency: 1, modelBackend: 'wasm', log });
    try {
      expect(await job.waitUntilFinished(events, 30_000)).toEqual({ doubled: 2 });
      expect(started).toEqual(['first', 'second']);
      expect((await queue.getJob(job.id!))!.attemptsMade).toBeLessThanOrEqual(1);
    } finally {
      await second.stop(1_000);
    }
  });
});
