// model.json: what a Segmenta model directory holds besides raw weights. Plain JSON so the worker, the
// web app and a browser page can read it without this package.
import type { MaskRCNNConfig } from '../config/types';
import { validateConfig } from '../config/validate';

export const CHECKPOINT_FORMAT = 'segmenta-maskrcnn';
export const CHECKPOINT_VERSION = 1;
export const MANIFEST_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.safetensors';
export const OPTIMIZER_FILE = 'optimizer.safetensors';

/** One tensor of weights.safetensors: torchvision key, torch layout. */
export interface ParamEntry {
  name: string;
  shape: number[];
  dtype: 'float32';
}

/** Free-form summary the training issue fills in (epochs, losses, dataset …); kept verbatim. */
export type TrainingSummary = Record<string, unknown>;

export interface CheckpointManifest {
  format: typeof CHECKPOINT_FORMAT;
  version: number;
  config: MaskRCNNConfig;
  /** Foreground class names; label i (1-based, 0 is background) is classes[i - 1]. */
  classes: string[];
  weights: { file: string; layout: 'torch'; params: ParamEntry[] };
  /** Present when optimizer.safetensors holds optimizer state for resuming training. */
  optimizer?: { file: string; kind?: string };
  training?: TrainingSummary;
  /** Where the weights came from, e.g. an imported .pth and which layers were re-initialised. */
  source?: { kind: string; file?: string; reinitialized?: string[] };
  createdAt?: string;
}

export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Throws unless the class names fit a model with `numClasses` outputs (background included). */
export function checkClasses(classes: readonly string[], numClasses: number): void {
  if (classes.length !== numClasses - 1) {
    throw new CheckpointError(
      `class count mismatch: the model has ${numClasses} outputs (${numClasses - 1} classes + background) but ${classes.length} class names were given`,
    );
  }
  const seen = new Set<string>();
  for (const c of classes) {
    if (typeof c !== 'string' || c.trim() === '') throw new CheckpointError('class names must be non-empty strings');
    if (seen.has(c)) throw new CheckpointError(`class name "${c}" appears twice`);
    seen.add(c);
  }
}

/** Parses and checks model.json (text or already-parsed JSON); every problem is a CheckpointError. */
export function parseManifest(input: string | unknown): CheckpointManifest {
  let m: unknown = input;
  if (typeof input === 'string') {
    try {
      m = JSON.parse(input);
    } catch (err) {
      throw new CheckpointError(`${MANIFEST_FILE} is not valid JSON: ${(err as Error).message}`);
    }
  }
  if (!isObject(m)) throw new CheckpointError(`${MANIFEST_FILE} must hold a JSON object`);
  if (m['format'] !== CHECKPOINT_FORMAT) {
    throw new CheckpointError(`${MANIFEST_FILE}: format is ${JSON.stringify(m['format'])}, expected "${CHECKPOINT_FORMAT}"`);
  }
  const version = m['version'];
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1 || version > CHECKPOINT_VERSION) {
    throw new CheckpointError(`${MANIFEST_FILE}: unsupported version ${JSON.stringify(version)} (this reader knows 1..${CHECKPOINT_VERSION})`);
  }
  const issues = validateConfig(m['config']);
  if (issues.length) {
    throw new CheckpointError(`${MANIFEST_FILE}: invalid config:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`);
  }
  const config = m['config'] as MaskRCNNConfig;
  const classes = m['classes'];
  if (!Array.isArray(classes)) throw new CheckpointError(`${MANIFEST_FILE}: "classes" must be an array of names`);
  checkClasses(classes as string[], config.numClasses);
  const w = m['weights'];
  if (!isObject(w) || typeof w['file'] !== 'string' || !Array.isArray(w['params'])) {
    throw new CheckpointError(`${MANIFEST_FILE}: "weights" must name a file and list its params`);
  }
  for (const p of w['params'] as unknown[]) {
    if (!isObject(p) || typeof p['name'] !== 'string' || !Array.isArray(p['shape']) || p['dtype'] !== 'float32') {
      throw new CheckpointError(`${MANIFEST_FILE}: malformed params entry ${JSON.stringify(p).slice(0, 120)}`);
    }
  }
  if (w['file'].includes('/') || w['file'].includes('\\')) throw new CheckpointError(`${MANIFEST_FILE}: weights file must be a plain file name`);
  const opt = m['optimizer'];
  if (opt !== undefined && (!isObject(opt) || typeof opt['file'] !== 'string')) {
    throw new CheckpointError(`${MANIFEST_FILE}: "optimizer" must name a file`);
  }
  return m as unknown as CheckpointManifest;
}
