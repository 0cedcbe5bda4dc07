import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteRun } from '@segmenta/db';
import { makeConfig, MaskRCNN, saveCheckpoint } from '@segmenta/maskrcnn';
import { trainingHarness, type TrainingHarness } from './training-harness';

// Every way a run can fail ends in one recorded status — failed, with the reason and finishedAt —
// and leaves a run that can be deleted or resumed. Each failure is real: missing or mismatched files,
// a database that refuses a write, a checkpoint directory that cannot be made.
let h: TrainingHarness;

beforeAll(async () => {
  h = await trainingHarness('run failures');
  h.worker();
});
afterAll(async () => {
  await h?.close();
});

/** A tiny model saved as a Segmenta checkpoint, with `numClasses` including background. */
async function savedModel(dir: string, over: Parameters<typeof makeConfig>[1]) {
  const model = MaskRCNN.init(makeConfig('tiny', over), 1);
  try {
    await saveCheckpoint(dir, model, { classes: Array.from({ length: (over?.numClasses ?? 3) - 1 }, (_, i) => `c${i}`) });
  } finally {
    model.dispose();
  }
}

async function expectFailed(runId: string, error: RegExp) {
  const run = await h.settled(runId);
  expect(run.status).toBe('failed');
  expect(run.error).toMatch(error);
  expect(run.finishedAt).not.toBeNull();
  await h.jobDone(runId);
  // Failed for good in BullMQ too: a retry would fail the same way.
  expect(await h.queue.getJobState(runId)).toBe('failed');
  expect((await h.logLines(runId)).filter((l) => l.startsWith('Failed: '))).toEqual([`Failed: ${run.error}`]);
  return run;
}

/** A run that has ended can be deleted: its row and files go. */
async function expectDeletable(runId: string) {
  expect(await deleteRun(h.db, h.dataDir, runId)).toBe(true);
  expect(await h.db.trainingRun.findUnique({ where: { id: runId } })).toBeNull();
}

/** A resume of a run whose weights are still wrong fails again, the same way, and logs it twice. */
async function expectFailsAgainOnResume(runId: string, error: string) {
  await h.resume(runId);
  const again = await h.settled(runId);
  expect([again.status, again.error]).toEqual(['failed', error]);
  expect((await h.logLines(runId)).filter((l) => l.startsWith('Failed: '))).toEqual([`Failed: ${error}`, `Failed: ${error}`]);
}

describe('a run that cannot load its initial weights fails, saying why', () => {
  it('a weights directory that does not exist; the run can be resumed (failing the same way) and deleted', async () => {
    const weightsPath = path.join(h.dataDir, 'no-such-weights');
    const runId = await h.launch({ init: { kind: 'torchvision', weightsPath } });
    const first = await expectFailed(runId, /^init: cannot load initial weights from .*no-such-weights: .*model\.json is missing/);
    await expectFailsAgainOnResume(runId, first.error!);
    await expectDeletable(runId);
  });

  it('weights for another class count; resumed, it fails the same way; it can be deleted', async () => {
    const dir = path.join(h.dataDir, 'five-classes');
    await savedModel(dir, { numClasses: 5 });
    const runId = await h.launch({ init: { kind: 'torchvision', weightsPath: dir } });
    const failed = await expectFailed(runId, /^init: the weights in .*five-classes predict 4 classes but the project has 2; import them with --num-classes 3$/);
    await expectFailsAgainOnResume(runId, failed.error!);
    await expectDeletable(runId);
  });

  it('weights for another backbone; resumed, it fails the same way; it can be deleted', async () => {
    const dir = path.join(h.dataDir, 'small-backbone');
    await savedModel(dir, { numClasses: 3, backbone: { kind: 'small' } });
    const runId = await h.launch({ init: { kind: 'torchvision', weightsPath: dir } });
    const failed = await expectFailed(runId, /^init: the weights in .*small-backbone are for backbone "small", the run uses "mini"$/);
    await expectFailsAgainOnResume(runId, failed.error!);
    await expectDeletable(runId);
  });

  it('a source run whose checkpoint files were deleted; once they are back, a resume trains from them', async () => {
    const source = await h.db.trainingRun.create({ data: { projectId: h.project.id, name: 'source', config: {}, status: 'completed' } });
    const rel = path.join('checkpoints', source.id, 'epoch-001');
    await h.db.checkpoint.create({ data: { runId: source.id, epoch: 1, path: rel, isBest: true } });
    await savedModel(path.join(h.dataDir, rel), { numClasses: 3 });
    await rm(path.join(h.dataDir, rel), { recursive: true });
    const runId = await h.launch({ init: { kind: 'run', runId: source.id } });
    await expectFailed(runId, new RegExp(`^init: cannot load initial weights from .*${source.id}/epoch-001: .*model\\.json is missing`));

    await savedModel(path.join(h.dataDir, rel), { numClasses: 3 });
    await h.resume(runId);
    const done = await h.settled(runId);
    expect([done.status, done.error]).toEqual(['completed', null]);
    const log = await h.logLines(runId);
    expect(log).toContain(`No checkpoint to resume from yet: starting over. Starting from run ${source.id}'s best checkpoint`);
    expect(await h.metricKeys(runId)).toEqual(['1/test', '1/train', '1/val']);
    await expectDeletable(runId);
  });
});

describe('a run that fails after training started fails, saying where', () => {
  it('during evaluation (its metrics cannot be stored); a resume starts over and completes', async () => {
    const runId = await h.create();
    // PostgreSQL itself refuses this run's metric rows, as a full disk or a lost connection would.
    const fn = `refuse_metrics_${runId.slice(0, 8)}`;
    await h.db.$executeRawUnsafe(`CREATE FUNCTION ${fn}() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'metrics storage is unavailable'; END $$ LANGUAGE plpgsql`);
    await h.db.$executeRawUnsafe(`CREATE TRIGGER ${fn} BEFORE INSERT ON "EpochMetric" FOR EACH ROW WHEN (NEW."runId" = '${runId}'::uuid) EXECUTE FUNCTION ${fn}()`);
    try {
      await h.enqueue(runId);
      await expectFailed(runId, /^evaluating epoch 1: database: Database error\. Code: `P0001`\. Message: `metrics storage is unavailable`$/);
      expect(await h.db.checkpoint.count({ where: { runId } })).toBe(0);
    } finally {
      await h.db.$executeRawUnsafe(`DROP TRIGGER ${fn} ON "EpochMetric"`);
      await h.db.$executeRawUnsafe(`DROP FUNCTION ${fn}()`);
    }
    await h.resume(runId);
    expect((await h.settled(runId)).status).toBe('completed');
    expect(await h.logLines(runId)).toContain('No checkpoint to resume from yet: starting over. Starting from random weights (seed 5)');
    expect(await h.metricKeys(runId)).toEqual(['1/test', '1/train', '1/val']);
    await expectDeletable(runId);
  });

  it('while checkpointing (the checkpoint directory cannot be made); a resume starts over and completes', async () => {
    const runId = await h.create();
    // A file where the run's checkpoint directory goes.
    await mkdir(path.join(h.dataDir, 'checkpoints'), { recursive: true });
    await writeFile(path.join(h.dataDir, 'checkpoints', runId), 'in the way');
    await h.enqueue(runId);
    await expectFailed(runId, /^saving the checkpoint of epoch 1: .*(ENOTDIR|EEXIST)/);
    // The epoch's metrics were stored before the checkpoint failed; the resume replaces them.
    expect(await h.metricKeys(runId)).toEqual(['1/test', '1/train', '1/val']);
    await rm(path.join(h.dataDir, 'checkpoints', runId));
    await h.resume(runId);
    expect((await h.settled(runId)).status).toBe('completed');
    expect(await h.metricKeys(runId)).toEqual(['1/test', '1/train', '1/val']);
    expect(await h.db.checkpoint.count({ where: { runId, isBest: true } })).toBe(1);
    await expectDeletable(runId);
    await expect(readdir(path.join(h.dataDir, 'checkpoints'))).resolves.not.toContain(runId);
  });
});
