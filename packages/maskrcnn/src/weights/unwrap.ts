import { WeightsFormatError } from './errors';
import type { StateDict, TensorEntry } from './types';

/** Keys under which training scripts commonly nest the model's state dict. */
const NESTED_KEYS = ['state_dict', 'model_state_dict', 'model', 'net', 'module', 'weights'];

export function isTensorEntry(v: unknown): v is TensorEntry {
  return typeof v === 'object' && v !== null && 'dtype' in v && 'shape' in v && 'data' in v && ArrayBuffer.isView((v as TensorEntry).data);
}

function asStateDict(v: unknown): StateDict | null {
  if (!(v instanceof Map) || v.size === 0) return null;
  for (const [k, x] of v) if (typeof k !== 'string' || !isTensorEntry(x)) return null;
  return v as StateDict;
}

/**
 * Finds the state dict in a loaded checkpoint: the object itself when it maps names to tensors, otherwise
 * the first of NESTED_KEYS that does (searched recursively, e.g. {'model': {'state_dict': ...}}).
 * A 'module.' prefix on every key (DataParallel) is removed.
 */
export function unwrapStateDict(obj: unknown): StateDict {
  const found = find(obj, 0);
  if (!found) {
    const keys = obj instanceof Map ? [...obj.keys()].slice(0, 8).map(String).join(', ') : typeof obj;
    throw new WeightsFormatError(`no state dict found (top-level keys: ${keys})`);
  }
  const names = [...found.keys()];
  if (!names.every((k) => k.startsWith('module.'))) return new Map(found);
  return new Map([...found].map(([k, v]) => [k.slice('module.'.length), v]));
}

function find(obj: unknown, depth: number): StateDict | null {
  const direct = asStateDict(obj);
  if (direct || !(obj instanceof Map) || depth > 3) return direct;
  for (const key of NESTED_KEYS) {
    const nested = find(obj.get(key), depth + 1);
    if (nested) return nested;
  }
  return null;
}
