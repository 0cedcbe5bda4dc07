// Checkpoint ⇄ bytes, with no Node APIs: the browser fetches model.json and the weights file and calls
// loadCheckpointFromBytes; Node code goes through ./node.ts.
import { MaskRCNN } from '../model/maskrcnn';
import { StateDictError } from '../model/params';
import { WeightsFormatError } from '../weights/errors';
import { readSafetensors, writeSafetensors } from '../weights/safetensors';
import type { StateDict, TensorEntry } from '../weights/types';
import {
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  CheckpointError,
  checkClasses,
  MANIFEST_FILE,
  OPTIMIZER_FILE,
  parseManifest,
  WEIGHTS_FILE,
  type CheckpointManifest,
  type TrainingSummary,
} from './manifest';

export interface SaveOptions {
  classes: readonly string[];
  training?: TrainingSummary;
  source?: CheckpointManifest['source'];
  /** Optimizer state (e.g. Adam moments keyed like the parameters) to resume training. */
  optimizer?: { state: StateDict; kind?: string };
}

export interface SerializedCheckpoint {
  manifest: CheckpointManifest;
  /** File name → bytes: model.json, weights.safetensors and optionally optimizer.safetensors. */
  files: Map<string, Uint8Array>;
}

export interface LoadedCheckpoint {
  model: MaskRCNN;
  manifest: CheckpointManifest;
  classes: string[];
}

/** The model's weights as torch-layout safetensors plus a manifest describing them. */
export async function serializeCheckpoint(model: MaskRCNN, opts: SaveOptions): Promise<SerializedCheckpoint> {
  checkClasses(opts.classes, model.cfg.numClasses);
  const sd = (await model.params.toStateDict()) as Map<string, TensorEntry>;
  const manifest: CheckpointManifest = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    config: structuredClone(model.cfg),
    classes: [...opts.classes],
    weights: {
      file: WEIGHTS_FILE,
      layout: 'torch',
      params: [...sd].map(([name, t]) => ({ name, shape: [...t.shape], dtype: 'float32' as const })),
    },
    createdAt: new Date().toISOString(),
  };
  if (opts.training) manifest.training = structuredClone(opts.training);
  if (opts.source) manifest.source = structuredClone(opts.source);
  const files = new Map<string, Uint8Array>();
  files.set(WEIGHTS_FILE, writeSafetensors(sd, { format: 'pt' }));
  if (opts.optimizer) {
    manifest.optimizer = { file: OPTIMIZER_FILE, ...(opts.optimizer.kind ? { kind: opts.optimizer.kind } : {}) };
    files.set(OPTIMIZER_FILE, writeSafetensors(opts.optimizer.state, { format: 'pt' }));
  }
  files.set(MANIFEST_FILE, new TextEncoder().encode(`${JSON.stringify(manifest, null, 1)}\n`));
  return { manifest, files };
}

/** Names every disagreement between the manifest's parameter list and the weights file. */
function checkAgainstManifest(manifest: CheckpointManifest, sd: StateDict): void {
  const problems: string[] = [];
  const listed = new Map(manifest.weights.params.map((p) => [p.name, p]));
  for (const p of manifest.weights.params) {
    const t = sd.get(p.name);
    if (!t) problems.push(`  ${p.name}: listed in ${MANIFEST_FILE} but absent from ${manifest.weights.file}`);
    else if (t.shape.length !== p.shape.length || t.shape.some((d, i) => d !== p.shape[i])) {
      problems.push(`  ${p.name}: ${MANIFEST_FILE} says [${p.shape.join(',')}], file holds [${t.shape.join(',')}]`);
    } else if (t.dtype !== 'float32') problems.push(`  ${p.name}: ${t.dtype} in the file, float32 expected`);
  }
  for (const k of sd.keys()) if (!listed.has(k)) problems.push(`  ${k}: in ${manifest.weights.file} but not listed in ${MANIFEST_FILE}`);
  if (problems.length) throw new CheckpointError(`checkpoint weights disagree with ${MANIFEST_FILE}:\n${problems.join('\n')}`);
}

export interface LoadOptions {
  /**
   * Lower the model's detection score threshold (roiHeads.scoreThresh) to at most this, so callers asking
   * for detections below the saved threshold get them. The manifest keeps the saved value.
   */
  maxScoreThresh?: number;
}

/** Builds the model from model.json (text or parsed) and the weights file's bytes. */
export function loadCheckpointFromBytes(manifestJson: string | unknown, weights: Uint8Array, opts: LoadOptions = {}): LoadedCheckpoint {
  const manifest = parseManifest(manifestJson);
  const cfg = structuredClone(manifest.config);
  if (opts.maxScoreThresh !== undefined) cfg.roiHeads.scoreThresh = Math.min(cfg.roiHeads.scoreThresh, opts.maxScoreThresh);
  let sd: StateDict;
  try {
    sd = readSafetensors(weights);
  } catch (err) {
    if (err instanceof WeightsFormatError) throw new CheckpointError(`${manifest.weights.file}: ${err.message}`);
    throw err;
  }
  checkAgainstManifest(manifest, sd);
  try {
    const model = MaskRCNN.fromStateDict(cfg, sd);
    return { model, manifest, classes: [...manifest.classes] };
  } catch (err) {
    if (err instanceof StateDictError) throw new CheckpointError(`${manifest.weights.file} does not fit the config in ${MANIFEST_FILE}: ${err.message}`);
    throw err;
  }
}

/** Optimizer state saved next to the weights (float32 tensors keyed as they were saved). */
export function readOptimizerState(bytes: Uint8Array): StateDict {
  return readSafetensors(bytes);
}

/**
 * Browser/HTTP loader: `baseUrl` is the model directory's URL (with or without trailing slash). Uses the
 * global fetch unless one is passed.
 */
export async function fetchCheckpoint(baseUrl: string, fetchImpl: typeof fetch = fetch, opts: LoadOptions = {}): Promise<LoadedCheckpoint> {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  const get = async (name: string): Promise<Response> => {
    const res = await fetchImpl(base + encodeURIComponent(name));
    if (!res.ok) throw new CheckpointError(`GET ${name}: HTTP ${res.status}`);
    return res;
  };
  const manifest = parseManifest(await (await get(MANIFEST_FILE)).text());
  const weights = new Uint8Array(await (await get(manifest.weights.file)).arrayBuffer());
  return loadCheckpointFromBytes(manifest, weights, opts);
}
