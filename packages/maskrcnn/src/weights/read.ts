import { gunzipSync } from 'fflate';
import { WeightsFormatError } from './errors';
import { readPth } from './pth';
import { looksLikeSafetensors, readSafetensors } from './safetensors';
import type { ReadOptions, StateDict } from './types';
import { isZip } from './zip';

export type WeightsFormat = 'pth-zip' | 'pth-legacy' | 'safetensors';

/** Inflates gzip-wrapped bytes (our committed fixtures are .gz); other bytes pass through. */
export function maybeGunzip(bytes: Uint8Array): Uint8Array {
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  try {
    return gunzipSync(bytes);
  } catch (err) {
    throw new WeightsFormatError(`gzip: cannot inflate (truncated?): ${(err as Error).message}`);
  }
}

export function detectFormat(bytes: Uint8Array): WeightsFormat {
  if (isZip(bytes)) return 'pth-zip';
  if (bytes[0] === 0x80) return 'pth-legacy';
  if (looksLikeSafetensors(bytes)) return 'safetensors';
  const head = [...bytes.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  throw new WeightsFormatError(`unrecognised weights format (first bytes: ${head})`);
}

/** State dict from .pth (zip or legacy) or safetensors bytes, optionally gzip-wrapped; found by magic. */
export function readWeights(bytes: Uint8Array, opts: ReadOptions = {}): StateDict {
  const raw = maybeGunzip(bytes);
  return detectFormat(raw) === 'safetensors' ? readSafetensors(raw, opts) : readPth(raw, opts);
}
