// Pre-annotation in the annotator's browser: a run's checkpoint fetched from the app, run with
// TensorFlow.js on the image being edited, its masks outlined as editable polygons in the original
// image's pixels. Loaded on demand (dynamic import) so the editor does not carry TensorFlow.js.
import { predictionPolygons, type Ring } from '@segmenta/coco';
import {
  className,
  fetchCheckpoint,
  predictDetections,
  rgbImageFromRgba,
  selectBrowserBackend,
  type BrowserBackendChoice,
  type BrowserBackendPreference,
  type Predictor,
  type RgbImage,
} from '@segmenta/maskrcnn/browser';

/** Where the prebuild/predev script copies tfjs-backend-wasm's binaries (scripts/copy-tfjs-wasm.mjs). */
export const WASM_PATH = '/tfjs-wasm/';
/** Models kept loaded in this tab: one per run an annotator switches between, bounded. */
const MAX_MODELS = 2;
/**
 * Pasted mask probabilities a tab may hold ([K, H, W] float32). The server allows 1 GiB; a browser
 * tab has less to spare, so a big web-size image runs at a smaller working size (see workingSize).
 * Images up to ~0.6 megapixels (100 detections) are unaffected and match the server exactly.
 */
const MASK_BUDGET_BYTES = 256 * 1024 * 1024;

export interface ModelRef {
  runId: string;
  checkpointId: string;
}

interface LoadedModel {
  predictor: Predictor;
  backend: string;
}

let active: { preference: BrowserBackendPreference; choice: Promise<BrowserBackendChoice> } | null = null;
const models = new Map<string, Promise<LoadedModel>>();

function forget(key: string): void {
  const m = models.get(key);
  models.delete(key);
  void m?.then((l) => l.predictor.model.dispose()).catch(() => undefined);
}

/** The backend for this tab; changing the preference switches it (models loaded on another backend are dropped). */
async function ensureBackend(preference: BrowserBackendPreference): Promise<BrowserBackendChoice> {
  if (!active || active.preference !== preference) {
    const choice = selectBrowserBackend(preference, { wasmPath: WASM_PATH });
    active = { preference, choice };
    choice.catch(() => {
      if (active?.choice === choice) active = null;
    });
  }
  return active.choice;
}

/** The checkpoint's model, from this tab's cache when it is there (the checkpoint URL is immutable). */
async function loadModel(ref: ModelRef, backend: string): Promise<{ model: LoadedModel; cached: boolean }> {
  const key = ref.checkpointId;
  const have = models.get(key);
  if (have) {
    const model = await have;
    if (model.backend === backend) return { model, cached: true };
    forget(key);
  }
  const base = `/api/runs/${encodeURIComponent(ref.runId)}/checkpoints/${encodeURIComponent(ref.checkpointId)}/`;
  const loading = fetchCheckpoint(base).then(({ model, classes }) => ({ predictor: { model, classes }, backend }));
  models.set(key, loading);
  loading.catch(() => {
    if (models.get(key) === loading) models.delete(key);
  });
  while (models.size > MAX_MODELS) forget(models.keys().next().value!);
  return { model: await loading, cached: false };
}

/** Decodes an image URL to RGB pixels exactly as stored: no colour management, no premultiplied alpha. */
async function decodeImageUrl(url: string): Promise<RgbImage> {
  const res = await fetch(url, { credentials: 'same-origin' });
  if (!res.ok) throw new Error(`could not load the image (${url}: HTTP ${res.status})`);
  const bitmap = await createImageBitmap(await res.blob(), { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  try {
    const { width, height } = bitmap;
    const ctx = Object.assign(document.createElement('canvas'), { width, height }).getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error('this browser gives no 2D canvas to read the image pixels');
    ctx.drawImage(bitmap, 0, 0);
    return rgbImageFromRgba(ctx.getImageData(0, 0, width, height).data, width, height);
  } finally {
    bitmap.close();
  }
}

export interface BrowserDetection {
  className: string;
  score: number;
  /** [x, y, width, height] in original-image pixels. */
  bbox: [number, number, number, number];
  /** Editable outline in original-image pixels; empty when the mask is too small to outline. */
  polygons: Ring[];
}

export interface PreannotateResult {
  backend: BrowserBackendChoice;
  /** Time to fetch and build the model; 0 when it came from this tab's cache. */
  loadMs: number;
  cached: boolean;
  /** Time the model took on the image (decoding excluded). */
  inferMs: number;
  /** The size the model saw (the web-size image) and the original's. */
  input: { width: number; height: number };
  detections: BrowserDetection[];
}

export interface PreannotateOptions {
  model: ModelRef;
  imageUrl: string;
  /** The original image's size: the editor's coordinates. */
  original: { width: number; height: number };
  scoreThreshold: number;
  backend: BrowserBackendPreference;
  /** Polygon simplification in original-image pixels (as the server's accept routes use). */
  tolerance: number;
}

const scaleRing = (r: Ring, sx: number, sy: number): Ring => r.map((v, i) => (i % 2 === 0 ? v * sx : v * sy));

export async function preannotate(opts: PreannotateOptions): Promise<PreannotateResult> {
  const backend = await ensureBackend(opts.backend);
  const decoding = decodeImageUrl(opts.imageUrl);
  decoding.catch(() => undefined); // awaited below; a model that fails to load must not leave it unhandled
  const t0 = performance.now();
  const { model, cached } = await loadModel(opts.model, backend.name);
  const loadMs = cached ? 0 : performance.now() - t0;
  const image = await decoding;
  const t1 = performance.now();
  const pred = await predictDetections(model.predictor, image, { scoreThreshold: opts.scoreThreshold, maskBudgetBytes: MASK_BUDGET_BYTES });
  const inferMs = performance.now() - t1;
  // The model saw the web-size copy; the editor works in the original's pixels.
  const sx = opts.original.width / image.width;
  const sy = opts.original.height / image.height;
  const tolerance = opts.tolerance / Math.max(sx, sy);
  const detections = pred.detections.map((d): BrowserDetection => {
    const [x1, y1, x2, y2] = d.box;
    return {
      className: className(model.predictor.classes, d.label),
      score: d.score,
      bbox: [x1 * sx, y1 * sy, (x2 - x1) * sx, (y2 - y1) * sy],
      polygons: predictionPolygons(d.segmentation, tolerance).map((r) => scaleRing(r, sx, sy)),
    };
  });
  return { backend, loadMs, cached, inferMs, input: { width: image.width, height: image.height }, detections };
}
