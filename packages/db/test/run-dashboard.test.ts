import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '@segmenta/contracts';
import { createDb, type Db } from '../src/client';
import { deleteRun } from '../src/run-delete';
import { cancelRun } from '../src/run-lifecycle';
import { appendRunLogs, listRunLogs } from '../src/run-logs';
import { stepTimeEstimate } from '../src/run-stats';
import { testDatabaseUrl } from './helpers';

let db: Db;
let projectId: string;
let dataDir: string;
const stamp = Date.now();
// A backend name of our own, so other tests' runs never enter the medians below.
const backend = `test-backend-${stamp}`;

const newRun = (data: { status?: 'queued' | 'running' | 'completed' | 'cancelled'; config?: object } = {}) =>
  db.trainingRun.create({ data: { projectId, name: 'r', config: { preset: 'tiny', epochs: 2, ...data.config }, status: data.status ?? 'completed', backend } });

beforeAll(async () => {
  db = createDb(testDatabaseUrl());
  projectId = (await db.project.create({ data: { name: `run dashboard ${stamp}` } })).id;
  dataDir = await mkdtemp(path.join(tmpdir(), 'segmenta-runs-'));
});
afterAll(async () => {
  await db.project.delete({ where: { id: projectId } });
  await db.$disconnect();
});

describe('run logs', () => {
  it('appends in batches and pages by id', async () => {
    const run = await newRun();
    await appendRunLogs(db, run.id, [{ level: 'info', message: 'a' }, { level: 'warn', message: 'b' }]);
    await appendRunLogs(db, run.id, [{ level: 'error', message: 'c' }]);
    const all = await listRunLogs(db, run.id, { after: 0, limit: 10 });
    expect(all.lines.map((l) => `${l.level}:${l.message}`)).toEqual(['info:a', 'warn:b', 'error:c']);
    expect(all.more).toBe(false);
    const page = await listRunLogs(db, run.id, { after: 0, limit: 2 });
    expect(page.more).toBe(true);
    expect((await listRunLogs(db, run.id, { after: page.last, limit: 2 })).lines.map((l) => l.message)).toEqual(['c']);
  });
});

describe('stepTimeEstimate', () => {
  it('takes the median of gaps between steps of the same epoch, leaving out the evaluation between epochs', async () => {
    expect(await stepTimeEstimate(db, 'cpu-small', backend)).toMatchObject({ medianSeconds: null, samples: 0 });
    const run = await newRun({ config: { preset: 'cpu-small' } });
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    // Epoch 1: steps 2 s and 4 s apart; then 100 s of evaluation; epoch 2: 3 s apart.
    const at = [0, 2, 6, 106, 109];
    await db.stepMetric.createMany({ data: at.map((s, i) => ({ runId: run.id, step: i, epoch: i < 3 ? 1 : 2, loss: 1, learningRate: 1e-3, createdAt: new Date(t0 + s * 1000) })) });
    expect(await stepTimeEstimate(db, 'cpu-small', backend)).toEqual({ preset: 'cpu-small', backend, medianSeconds: 3, samples: 3 });
    expect((await stepTimeEstimate(db, 'cpu-small', 'another-backend')).samples).toBe(0);
  });
});

describe('deleteRun', () => {
  it('refuses a running run and a run another queued run starts from; removes rows and files otherwise', async () => {
    const running = await newRun({ status: 'running' });
    await expect(deleteRun(db, dataDir, running.id)).rejects.toMatchObject({ code: 'conflict' });

    const source = await newRun();
    const rel = path.join('checkpoints', source.id, 'epoch-001');
    mkdirSync(path.join(dataDir, rel), { recursive: true });
    writeFileSync(path.join(dataDir, rel, 'model.json'), '{}');
    await db.checkpoint.create({ data: { runId: source.id, epoch: 1, path: rel, isBest: true } });
    const dependant = await newRun({ status: 'queued', config: { init: { kind: 'run', runId: source.id } } });
    const err = await deleteRun(db, dataDir, source.id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).message).toMatch(/starting point/);
    expect(existsSync(path.join(dataDir, rel, 'model.json'))).toBe(true);

    await cancelRun(db, dependant.id);
    expect(await deleteRun(db, dataDir, source.id)).toBe(true);
    expect(existsSync(path.join(dataDir, 'checkpoints', source.id))).toBe(false);
    expect(await db.checkpoint.count({ where: { runId: source.id } })).toBe(0);
    expect(await deleteRun(db, dataDir, source.id)).toBe(false);
  });

  it('never removes a path outside DATA_DIR, whatever a row says', async () => {
    const outside = await mkdtemp(path.join(tmpdir(), 'segmenta-outside-'));
    writeFileSync(path.join(outside, 'keep.txt'), 'x');
    const run = await newRun();
    await db.checkpoint.create({ data: { runId: run.id, epoch: 1, path: path.relative(dataDir, outside) } });
    expect(await deleteRun(db, dataDir, run.id)).toBe(true);
    expect(existsSync(path.join(outside, 'keep.txt'))).toBe(true);
  });
});
