import { readFile, writeFile } from 'node:fs/promises';
import { readWeights } from './read';
import { writeSafetensors } from './safetensors';
import type { ReadOptions, StateDict } from './types';

/** Node-only file helpers, kept apart so browser bundles of the readers need no node:fs. */

export async function readStateDict(path: string, opts: ReadOptions = {}): Promise<StateDict> {
  const buf = await readFile(path);
  return readWeights(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), opts);
}

export async function writeStateDictSafetensors(path: string, tensors: StateDict, metadata?: Record<string, string>): Promise<void> {
  await writeFile(path, writeSafetensors(tensors, metadata));
}
