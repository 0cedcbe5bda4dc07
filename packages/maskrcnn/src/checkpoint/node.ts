// Node-only side of checkpoints: directories on disk. Kept apart so browser bundles never see node:fs.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MaskRCNN } from '../model/maskrcnn';
import { loadCheckpointFromBytes, serializeCheckpoint, type LoadedCheckpoint, type LoadOptions, type SaveOptions } from './codec';
import { CheckpointError, MANIFEST_FILE, parseManifest, type CheckpointManifest } from './manifest';

/**
 * Writes model.json, weights.safetensors (and optimizer.safetensors when given) into `dir`, creating it.
 * Each file goes to a temporary name first so a crash never leaves a half-written weights file in place;
 * model.json is renamed last, so a directory with a manifest is always complete.
 */
export async function saveCheckpoint(dir: string, model: MaskRCNN, opts: SaveOptions): Promise<CheckpointManifest> {
  const { manifest, files } = await serializeCheckpoint(model, opts);
  await mkdir(dir, { recursive: true });
  const names = [...files.keys()].filter((n) => n !== MANIFEST_FILE).concat(MANIFEST_FILE);
  for (const name of names) {
    const tmp = join(dir, `.${name}.tmp`);
    await writeFile(tmp, files.get(name)!);
    await rename(tmp, join(dir, name));
  }
  return manifest;
}

async function readIn(dir: string, name: string): Promise<Uint8Array> {
  try {
    const b = await readFile(join(dir, name));
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CheckpointError(`${dir} is not a Segmenta model directory: ${name} is missing`);
    throw new CheckpointError(`cannot read ${join(dir, name)}: ${(err as Error).message}`);
  }
}

/** Loads a model directory written by saveCheckpoint (or the CLI's import). */
export async function loadCheckpoint(dir: string, opts: LoadOptions = {}): Promise<LoadedCheckpoint> {
  const manifest = parseManifest(new TextDecoder().decode(await readIn(dir, MANIFEST_FILE)));
  return loadCheckpointFromBytes(manifest, await readIn(dir, manifest.weights.file), opts);
}

/** The optimizer file's bytes, or undefined when the checkpoint has none. */
export async function readOptimizerFile(dir: string, manifest: CheckpointManifest): Promise<Uint8Array | undefined> {
  return manifest.optimizer ? readIn(dir, manifest.optimizer.file) : undefined;
}
