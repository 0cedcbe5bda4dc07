// Body of one inference thread: decodes the upload, runs the model and encodes the answer (RLE or
// overlay PNG), all of it CPU-bound work that would otherwise stall the web server's event loop.
// Each thread keeps its own loaded models; the pool sends it one task at a time.
import { parentPort, workerData } from 'node:worker_threads';
import { decodeImage, ImageLoadError, loadCheckpoint, predictDetections, renderOverlay, selectBackend, toCocoResults, type Predictor } from '@segmenta/maskrcnn';
import type { InferenceReply, InferenceTask, InferenceWorkerData } from './inference-protocol';

const { backend } = workerData as InferenceWorkerData;
const port = parentPort!;
let ready: Promise<unknown> | undefined;

// Loading weights costs far more than one prediction, so models stay loaded; two at most, so a
// reviewer switching between two runs does not reload each time while memory stays bounded.
const cache = new Map<string, Promise<Predictor>>();
const MAX_MODELS = 2;

async function getPredictor(id: string, dir: string): Promise<Predictor> {
  ready ??= selectBackend(backend);
  await ready;
  let entry = cache.get(id);
  if (!entry) {
    entry = loadCheckpoint(dir).then(({ model, classes }) => ({ model, classes }));
    entry.catch(() => cache.delete(id));
    cache.set(id, entry);
    while (cache.size > MAX_MODELS) {
      const [oldest, p] = cache.entries().next().value!;
      cache.delete(oldest);
      void p.then((m) => m.model.dispose()).catch(() => undefined);
    }
  }
  return entry;
}

async function handle(id: number, task: InferenceTask): Promise<{ reply: InferenceReply; transfer: ArrayBuffer[] }> {
  let image;
  try {
    image = await decodeImage(new Uint8Array(task.bytes));
  } catch (err) {
    if (err instanceof ImageLoadError) return { reply: { id, ok: false, kind: 'image', message: err.message }, transfer: [] };
    throw err;
  }
  let predictor;
  try {
    predictor = await getPredictor(task.checkpointId, task.checkpointDir);
  } catch (err) {
    return { reply: { id, ok: false, kind: 'model', message: (err as Error).message }, transfer: [] };
  }
  const pred = await predictDetections(predictor, image, { scoreThreshold: task.scoreThreshold });
  if (task.format === 'png') {
    const png = new Uint8Array(await renderOverlay(image, pred, predictor.classes));
    return { reply: { id, ok: true, png }, transfer: [png.buffer as ArrayBuffer] };
  }
  return { reply: { id, ok: true, results: toCocoResults(pred, predictor.classes) }, transfer: [] };
}

port.on('message', (msg: { id: number; task: InferenceTask }) => {
  handle(msg.id, msg.task).then(
    ({ reply, transfer }) => port.postMessage(reply, transfer),
    (err: Error) => port.postMessage({ id: msg.id, ok: false, kind: 'internal', message: err?.stack ?? String(err) } satisfies InferenceReply),
  );
});
