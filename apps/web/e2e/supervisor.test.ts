import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadServerEnv, type HealthDto, type RunDto } from '@segmenta/contracts';
import { createDb, type Db } from '@segmenta/db';
import { createScratchDatabase, deployMigrations } from '@segmenta/db/migrate';
import { annotatedProject } from './annotated-project';
import { freePort, TEST_ADMIN, WEB_DIR } from './servers';

// `npm start`'s platform — scripts/platform.ts, what start.sh runs once it has built — on a port, a
// database and a data dir of its own: its worker is killed with SIGKILL mid-epoch, as the kernel's
// out-of-memory killer would. The web keeps answering, health shows the worker gone until it is back,
// the run resumes from its checkpoint, and Ctrl+C (SIGINT) stops everything.
const ROOT = path.resolve(WEB_DIR, '../..');
let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
let db: Db;
let dataDir: string;
let base: string;
let platform: ChildProcess;
let output = '';

const health = async () => (await (await fetch(`${base}/api/health`)).json()) as HealthDto;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    await sleep(250);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n--- platform output ---\n${output.slice(-4000)}`);
}

beforeAll(async () => {
  scratch = await createScratchDatabase(loadServerEnv().DATABASE_URL);
  await deployMigrations(scratch.url);
  db = createDb(scratch.url);
  dataDir = await mkdtemp(path.join(tmpdir(), 'segmenta-platform-'));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  platform = spawn(process.execPath, ['--import', 'tsx', 'scripts/platform.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: scratch.url,
      DATA_DIR: dataDir,
      PORT: String(port),
      QUEUE_PREFIX: `segmenta-test-platform-${randomUUID().slice(0, 8)}`,
      // A killed worker's job is handed on after about this long (default a minute).
      WORKER_LOCK_MS: '3000',
      WORKER_SHUTDOWN_GRACE_S: '2',
      SEGMENTA_ADMIN_EMAIL: TEST_ADMIN.email,
      SEGMENTA_ADMIN_PASSWORD: TEST_ADMIN.password,
      SEGMENTA_ADMIN_TOKEN: TEST_ADMIN.token,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  platform.stdout!.on('data', (d) => (output += d));
  platform.stderr!.on('data', (d) => (output += d));
  await waitFor('the platform to be healthy', async () => (await health()).status === 'ok', 120_000);
});

afterAll(async () => {
  if (platform && platform.exitCode === null) {
    platform.kill('SIGINT');
    await waitFor('the platform to stop', async () => platform.exitCode !== null, 30_000).catch(() => platform.kill('SIGKILL'));
  }
  await db?.$disconnect();
  await scratch?.drop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('npm start supervises its worker', () => {
  it('restarts a worker killed mid-epoch while the web keeps serving; the run resumes and completes; SIGINT stops it all', async () => {
    const project = await annotatedProject(base, db, 'Supervised');
    const epochs = 3;
    const launched = await fetch(`${base}/api/projects/${project.id}/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'survives', preset: 'tiny', epochs, batchSize: 1, seed: 6 }) });
    expect(launched.status).toBe(202);
    const { id } = (await launched.json()) as { id: string };
    // Mid-epoch: the first epoch's checkpoint is saved and the second epoch has begun (4 steps per epoch).
    await waitFor('a step of epoch 2', async () => (await db.stepMetric.count({ where: { runId: id, epoch: 2 } })) > 0, 120_000);
    const [first] = (await health()).workers;
    expect(first).toBeDefined();
    process.kill(first!.pid, 'SIGKILL');
    const killedAt = Date.now();

    // Every request in the outage gets an answer (a refused connection fails the test); health has no
    // worker until the new one registers.
    const answers = new Set<number>();
    let sawNoWorker = false;
    let back: HealthDto['workers'][number] | undefined;
    while (!back && Date.now() - killedAt < 30_000) {
      const [h, page] = await Promise.all([fetch(`${base}/api/health`), fetch(`${base}/sign-in`)]);
      answers.add(h.status).add(page.status);
      const body = (await h.json()) as HealthDto;
      if (body.workers.length === 0 && body.status === 'degraded' && h.status === 503) sawNoWorker = true;
      back = body.workers.find((w) => w.pid !== first!.pid);
      if (!back) await sleep(250);
    }
    expect(back, `no worker back within 30 s\n${output.slice(-4000)}`).toBeDefined();
    expect(sawNoWorker).toBe(true);
    expect(answers).toEqual(new Set([503, 200]));
    expect(output).toContain(`worker (pid ${first!.pid}) was killed by SIGKILL — unless someone killed it by hand, most likely by the kernel's out-of-memory killer`);
    expect(output).toMatch(/restarting it in 1 s \(restart 1\)/);

    const done = await waitFor(
      'the run to end',
      async () => {
        const run = (await (await fetch(`${base}/api/runs/${id}`)).json()) as RunDto;
        return ['completed', 'failed', 'cancelled'].includes(run.status) && run;
      },
      180_000,
    );
    expect([done.status, done.error, done.epochsDone]).toEqual(['completed', null, epochs]);
    const rows = await db.epochMetric.findMany({ where: { runId: id }, select: { epoch: true, split: true } });
    expect(rows.map((r) => `${r.epoch}/${r.split}`).sort()).toEqual(Array.from({ length: epochs }, (_, e) => ['test', 'train', 'val'].map((s) => `${e + 1}/${s}`)).flat().sort());
    const log = (await db.runLog.findMany({ where: { runId: id }, orderBy: { id: 'asc' } })).map((l) => l.message);
    expect(log).toContainEqual(expect.stringMatching(/^Resuming from the checkpoint of epoch [12]; /));

    platform.kill('SIGINT');
    await waitFor('the platform to exit', async () => platform.exitCode !== null, 30_000);
    expect(platform.exitCode).toBe(0);
    expect(() => process.kill(back!.pid, 0)).toThrow(/ESRCH/);
    await expect(fetch(`${base}/sign-in`)).rejects.toThrow();
  });
});
