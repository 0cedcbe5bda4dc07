import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../src/client';
import {
  cancelRun, claimRun, completeRun, failRun, handBackRun, recordRunStep, resumeRun, RUN_TRANSITIONS, RunLeaseLostError, RunTransitionError, type RunStatus,
} from '../src/run-lifecycle';
import { testDatabaseUrl } from './helpers';

let db: Db;
let projectId: string;

beforeAll(async () => {
  db = createDb(testDatabaseUrl());
  projectId = (await db.project.create({ data: { name: `run lifecycle ${Date.now()}` } })).id;
});
afterAll(async () => {
  await db.project.delete({ where: { id: projectId } });
  await db.$disconnect();
});

const STATUSES: RunStatus[] = ['queued', 'running', 'completed', 'failed', 'cancelled'];
const newRun = async (status: RunStatus, attempt = 1) => (await db.trainingRun.create({ data: { projectId, name: 'r', config: {}, status, attempt } })).id;
const row = (id: string) => db.trainingRun.findUniqueOrThrow({ where: { id }, include: { logs: true } });

// Each move as a caller makes it, on a run in `status`. A worker's moves carry the lease of attempt 1
// and are refused as a lost lease: whatever moved the run away, it is no longer that attempt's.
const MOVES: Record<string, { to: RunStatus; from: RunStatus[]; make: (id: string) => Promise<unknown>; leased?: true }> = {
  claim: { to: 'running', from: ['queued'], make: (id) => claimRun(db, id, { backend: 'wasm' }) },
  handBack: { to: 'queued', from: ['running'], make: (id) => handBackRun(db, { runId: id, attempt: 1 }, 'shutting down'), leased: true },
  complete: { to: 'completed', from: ['running'], make: (id) => completeRun(db, { runId: id, attempt: 1 }), leased: true },
  fail: { to: 'failed', from: ['queued', 'running'], make: (id) => failRun(db, id, 'boom') },
  cancel: { to: 'cancelled', from: ['queued', 'running'], make: (id) => cancelRun(db, id, [{ level: 'warn', message: 'Cancelled' }]) },
  resume: { to: 'queued', from: ['failed', 'cancelled'], make: (id) => resumeRun(db, id, [{ level: 'info', message: 'Resumed' }]) },
};

describe('run lifecycle', () => {
  it('allows exactly queued → running → completed | failed | cancelled, running → queued, failed | cancelled → queued, queued → cancelled | failed', () => {
    expect(RUN_TRANSITIONS).toEqual({
      queued: ['running', 'failed', 'cancelled'],
      running: ['queued', 'completed', 'failed', 'cancelled'],
      completed: [],
      failed: ['queued'],
      cancelled: ['queued'],
    });
  });

  for (const [name, m] of Object.entries(MOVES)) {
    it(`${name}: moves a ${m.from.join(' or ')} run to ${m.to} and refuses every other status, changing nothing`, async () => {
      for (const status of STATUSES) {
        const id = await newRun(status);
        if (m.from.includes(status)) {
          await m.make(id);
          const after = await row(id);
          expect(after.status).toBe(m.to);
          expect(after.finishedAt !== null).toBe(['completed', 'failed', 'cancelled'].includes(m.to));
        } else {
          const refused = await m.make(id).then(() => null, (err: unknown) => err);
          if (m.leased) {
            expect(refused).toBeInstanceOf(RunLeaseLostError);
            expect((refused as RunLeaseLostError).status).toBe(status);
          } else {
            expect(refused).toBeInstanceOf(RunTransitionError);
            expect((refused as RunTransitionError).status).toBe(409);
            expect((refused as Error).message).toMatch(new RegExp(`^Run ${id} is ${status}; it cannot be .+: only ${m.from.join(' or ')} runs can$`));
          }
          const after = await row(id);
          expect([after.status, after.logs.length]).toEqual([status, 0]);
        }
      }
    });
  }

  it('records the error and its log line with a failure, and clears them on resume and on the next claim', async () => {
    const id = await newRun('running');
    await failRun(db, id, 'init: cannot load initial weights');
    let r = await row(id);
    expect([r.status, r.error, r.logs.map((l) => `${l.level}:${l.message}`)]).toEqual(['failed', 'init: cannot load initial weights', ['error:Failed: init: cannot load initial weights']]);
    await resumeRun(db, id);
    r = await row(id);
    expect([r.status, r.error, r.finishedAt]).toEqual(['queued', null, null]);
    const lease = await claimRun(db, id, { backend: 'wasm' });
    expect(lease).toEqual({ runId: id, attempt: 2, restarted: false });
    r = await row(id);
    expect([r.status, r.attempt, r.backend, r.startedAt !== null]).toEqual(['running', 2, 'wasm', true]);
    await handBackRun(db, lease, 'shutting down');
    expect((await claimRun(db, id, { backend: 'wasm' })).restarted).toBe(true);
  });

  it('refuses a worker whose attempt no longer holds the run: cancelled, or taken over by another worker', async () => {
    const id = await newRun('queued', 0);
    const first = await claimRun(db, id, { backend: 'wasm' });
    await handBackRun(db, first, 'its worker stopped responding');
    const second = await claimRun(db, id, { backend: 'wasm' });
    for (const write of [() => recordRunStep(db, first, { step: 0, epoch: 1, loss: 1, learningRate: 1e-3 }, 0.5), () => completeRun(db, first), () => failRun(db, id, 'late', { lease: first })]) {
      const refused = await write().then(() => null, (err: unknown) => err);
      expect(refused).toBeInstanceOf(RunLeaseLostError);
    }
    expect(await db.stepMetric.count({ where: { runId: id } })).toBe(0);
    await recordRunStep(db, second, { step: 0, epoch: 1, loss: 1, learningRate: 1e-3 }, 0.5);
    await cancelRun(db, id);
    const refused = await recordRunStep(db, second, { step: 1, epoch: 1, loss: 1, learningRate: 1e-3 }, 1).then(() => null, (err: unknown) => err);
    expect(refused).toBeInstanceOf(RunLeaseLostError);
    expect((refused as RunLeaseLostError).status).toBe('cancelled');
    expect((await row(id)).progress).toBe(0.5);
  });

  it('lets exactly one of two racing actors win: a worker completing and a user cancelling the same running run', async () => {
    for (let i = 0; i < 10; i++) {
      const id = await newRun('running');
      const results = await Promise.allSettled([completeRun(db, { runId: id, attempt: 1 }), cancelRun(db, id)]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const [completed, cancelled] = results;
      if (completed.status === 'rejected') expect(completed.reason).toBeInstanceOf(RunLeaseLostError);
      if (cancelled.status === 'rejected') expect(cancelled.reason).toBeInstanceOf(RunTransitionError);
      expect((await row(id)).status).toBe(completed.status === 'fulfilled' ? 'completed' : 'cancelled');
    }
  });

  it('lets exactly one of two workers claim a run', async () => {
    const id = await newRun('queued', 0);
    const results = await Promise.allSettled([claimRun(db, id, { backend: 'a' }), claimRun(db, id, { backend: 'b' })]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((await row(id)).attempt).toBe(1);
  });
});
