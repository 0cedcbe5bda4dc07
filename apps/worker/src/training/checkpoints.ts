import { rm } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { latestCheckpoint, type Db } from '@segmenta/db';
import { loadCheckpoint, readOptimizerFile, readOptimizerState, saveCheckpoint, type MaskRCNN, type SlotTensor, type StateDict, type TrainingSummary } from '@segmenta/maskrcnn';

/** Checkpoints live under DATA_DIR/checkpoints/<runId>/epoch-NNN; rows store the relative path. */
export const checkpointRelPath = (runId: string, epoch: number) => path.join('checkpoints', runId, `epoch-${String(epoch).padStart(3, '0')}`);

/** tfjs restores optimiser slots by position, so their order is kept in the names. */
async function slotsToStateDict(slots: SlotTensor[]): Promise<StateDict> {
  const sd: StateDict = new Map();
  for (const [i, s] of slots.entries()) {
    sd.set(`${String(i).padStart(6, '0')}:${s.name}`, { dtype: 'float32', shape: [...s.tensor.shape], data: (await s.tensor.data()) as Float32Array });
    s.tensor.dispose();
  }
  return sd;
}

function stateDictToSlots(sd: StateDict): SlotTensor[] {
  return [...sd.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([key, t]) => ({ name: key.slice(key.indexOf(':') + 1), tensor: tf.tensor(t.data as Float32Array, t.shape) }));
}

export async function writeCheckpoint(opts: {
  db: Db;
  dataDir: string;
  runId: string;
  epoch: number;
  model: MaskRCNN;
  classes: string[];
  slots: SlotTensor[];
  valLoss: number | null;
  training: TrainingSummary;
}): Promise<void> {
  const rel = checkpointRelPath(opts.runId, opts.epoch);
  await saveCheckpoint(path.join(opts.dataDir, rel), opts.model, { classes: opts.classes, training: opts.training, optimizer: { state: await slotsToStateDict(opts.slots), kind: 'tfjs-slots' } });
  await opts.db.checkpoint.upsert({
    where: { runId_epoch: { runId: opts.runId, epoch: opts.epoch } },
    create: { runId: opts.runId, epoch: opts.epoch, path: rel, valLoss: opts.valLoss },
    update: { path: rel, valLoss: opts.valLoss },
  });
  await markBestAndPrune(opts.db, opts.dataDir, opts.runId);
}

/** Best = lowest validation loss (the origin project's model selection); keep it and the latest only. */
export async function markBestAndPrune(db: Db, dataDir: string, runId: string): Promise<void> {
  const all = await db.checkpoint.findMany({ where: { runId }, orderBy: { epoch: 'asc' } });
  if (all.length === 0) return;
  const withVal = all.filter((c) => c.valLoss !== null && Number.isFinite(c.valLoss));
  const best = withVal.length ? withVal.reduce((a, b) => (b.valLoss! < a.valLoss! ? b : a)) : all[all.length - 1]!;
  const latest = all[all.length - 1]!;
  const drop = all.filter((c) => c.id !== best.id && c.id !== latest.id);
  await db.$transaction([
    db.checkpoint.updateMany({ where: { runId }, data: { isBest: false } }),
    db.checkpoint.update({ where: { id: best.id }, data: { isBest: true } }),
    db.checkpoint.deleteMany({ where: { id: { in: drop.map((c) => c.id) } } }),
  ]);
  for (const c of drop) await rm(path.join(dataDir, c.path), { recursive: true, force: true });
}

/** The newest checkpoint of a run with its optimiser slots, to resume after a crash or a cancel. */
export async function loadLatestCheckpoint(db: Db, dataDir: string, runId: string) {
  const latest = await latestCheckpoint(db, runId);
  if (!latest) return null;
  const dir = path.join(dataDir, latest.path);
  const loaded = await loadCheckpoint(dir).catch((err: Error) => {
    throw new Error(`cannot load the checkpoint of epoch ${latest.epoch} to resume from (${dir}): ${err.message}`);
  });
  const bytes = await readOptimizerFile(dir, loaded.manifest);
  return { epoch: latest.epoch, model: loaded.model, slots: bytes ? stateDictToSlots(readOptimizerState(bytes)) : undefined };
}
