import { spawn } from 'node:child_process';
import path from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUES, trainingConfigSchema } from '@segmenta/contracts';
import { createDb, createRun, LocalBlobStore, takeDatasetSnapshot, type Db } from '@segmenta/db';
import { connectRedis } from '../src/services';
import { annotatedProject, testEnv, until } from './helpers';

// A worker killed with SIGKILL mid-run: BullMQ re-queues the stalled job, another worker resumes from
// the last checkpoint, and the history ends with exactly one metric row per epoch per split.
const env = testEnv();
const main = path.join(import.meta.dirname, '../src/main.ts');
let db: Db;

function worker() {
  const child = spawn(process.execPath, ['--import', 'tsx', main], {
    env: { ...process.env, ...Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)])), WORKER_LOCK_MS: '3000' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  child.stderr.on('data', (d: Buffer) => (out += d));
  return { child, output: () => out, exited: new Promise<void>((r) => child.on('exit', () => r())) };
}

beforeAll(() => {
  db = createDb(env.DATABASE_URL);
});
afterAll(async () => {
  await db.$disconnect();
});

describe('training survives a killed worker', () => {
  it('resumes from the last checkpoint after SIGKILL and finishes with one row per epoch per split', async () => {
    const store = new LocalBlobStore(env.DATA_DIR);
    const project = await annotatedProject(db, store, 'crash', ['train', 'train', 'train', 'train', 'val', 'test']);
    const epochs = 4;
    const config = trainingConfigSchema.parse({ name: 'crash', preset: 'tiny', epochs, batchSize: 1, seed: 9 });
    const run = await createRun(db, project.id, config, await takeDatasetSnapshot(db, project.id));
    const redis = connectRedis(env.REDIS_URL);
    const queue = new Queue(QUEUES.training, { connection: redis, prefix: env.QUEUE_PREFIX });
    await queue.add('train', { runId: run.id }, { jobId: run.id, attempts: 3 });

    const first = worker();
    let second: ReturnType<typeof worker> | undefined;
    try {
      await until(async () => ((await db.trainingRun.findUniqueOrThrow({ where: { id: run.id } })).epochsDone >= 1 ? true : undefined), 'the first epoch', 60_000);
      first.child.kill('SIGKILL');
      await first.exited;
      const atKill = await db.trainingRun.findUniqueOrThrow({ where: { id: run.id } });
      expect(atKill.status).toBe('running');
      expect(atKill.epochsDone).toBeLessThan(epochs);

      second = worker();
      const done = await until(async () => {
        const r = await db.trainingRun.findUniqueOrThrow({ where: { id: run.id } });
        return r.status === 'completed' || r.status === 'failed' ? r : undefined;
      }, 'the run to finish on the second worker', 120_000);
      expect(done.error).toBeNull();
      expect(done.status).toBe('completed');
      expect(second.output()).toContain('resuming from checkpoint');
      const log = (await db.runLog.findMany({ where: { runId: run.id }, orderBy: { id: 'asc' } })).map((l) => l.message);
      expect(log.filter((m) => /^Started · Backend /.test(m))).toHaveLength(1);
      expect(log.filter((m) => /^Restarted · Backend /.test(m))).toHaveLength(1);
      // The epoch of the newest checkpoint: the one counted at the kill, or the next if it was saved just before the kill.
      expect(log).toContainEqual(expect.stringMatching(/^Resuming from the checkpoint of epoch [1-9]/));
      expect(log.at(-1)).toMatch(/^Completed \d+ epoch/);
      const rows = await db.epochMetric.findMany({ where: { runId: run.id }, select: { epoch: true, split: true } });
      expect(rows.map((r) => `${r.epoch}/${r.split}`).sort()).toEqual(
        Array.from({ length: epochs }, (_, e) => ['test', 'train', 'val'].map((s) => `${e + 1}/${s}`)).flat().sort(),
      );
      expect(await db.stepMetric.count({ where: { runId: run.id } })).toBe(epochs * 4);
      expect(await db.checkpoint.count({ where: { runId: run.id, isBest: true } })).toBe(1);
    } finally {
      first.child.kill('SIGKILL');
      second?.child.kill('SIGTERM');
      await second?.exited;
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
      redis.disconnect();
    }
  });
});
