import 'server-only';
import path from 'node:path';
import { AppError } from '@segmenta/contracts';
import { loadCheckpoint, selectBackend, type Predictor } from '@segmenta/maskrcnn';
import { getServer } from './context';

// Loaded models stay in memory: loading weights costs far more than one prediction. Two at most, so a
// reviewer switching between runs does not reload each time, and memory stays bounded.
const cache = new Map<string, Promise<Predictor>>();
const MAX_MODELS = 2;
let backend: Promise<unknown> | undefined;

/** The best checkpoint of `runId`, or of the most recently finished run that has one. */
export async function resolveCheckpoint(runId?: string) {
  const { db } = getServer();
  const ckpt = await db.checkpoint.findFirst({
    where: { isBest: true, ...(runId ? { runId } : {}) },
    orderBy: { createdAt: 'desc' },
    include: { run: { select: { id: true, name: true } } },
  });
  if (!ckpt) throw new AppError('not_found', runId ? `Run ${runId} has no checkpoint yet` : 'No trained model yet: train a run first');
  return ckpt;
}

export async function getPredictor(checkpointId: string, relPath: string): Promise<Predictor> {
  backend ??= selectBackend((process.env.MODEL_BACKEND as 'auto' | undefined) ?? 'auto');
  await backend;
  let entry = cache.get(checkpointId);
  if (!entry) {
    entry = loadCheckpoint(path.join(getServer().env.DATA_DIR, relPath)).then(({ model, classes }) => ({ model, classes }));
    entry.catch(() => cache.delete(checkpointId));
    cache.set(checkpointId, entry);
    while (cache.size > MAX_MODELS) {
      const [oldest, p] = cache.entries().next().value!;
      cache.delete(oldest);
      void p.then((m) => m.model.dispose()).catch(() => undefined);
    }
  }
  return entry;
}
