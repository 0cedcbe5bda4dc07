import 'server-only';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { z } from 'zod';
import { AppError } from '@segmenta/contracts';
import { findRunCheckpoint, type Principal } from '@segmenta/db';
import { CheckpointError, MANIFEST_FILE, OPTIMIZER_FILE, parseManifest } from '@segmenta/maskrcnn/manifest';
import { requireOwner } from './auth/project-access';
import { getServer } from './context';
import { noCheckpointYet } from './models';

// A checkpoint's model files for browsers that run the model themselves (pre-annotation in the
// editor): model.json and the weights file it names, nothing else of the directory. The directory
// comes from the Checkpoint row, never from the request; the file name only picks one of those two.

/** A file name as a checkpoint writes them: no separators, no leading dot (temporary files). */
export const modelFileParamSchema = z.string().regex(/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/, 'must be a file name such as model.json');

const MAX_MANIFEST_BYTES = 8 * 1024 * 1024;

type CheckpointRow = { id: string; runId: string; epoch: number; path: string };

/** Runs may lend their model to anyone who may label the project: the model runs on their own machine. */
export async function requireRunForModel(principal: Principal, runId: string): Promise<void> {
  await requireOwner(principal, 'run', runId, 'annotate');
}

/** The run's best checkpoint (what /api/predict uses), or a 404 saying why there is none. */
export async function bestCheckpoint(runId: string): Promise<CheckpointRow> {
  const { db } = getServer();
  const ckpt = await findRunCheckpoint(db, runId);
  if (ckpt) return ckpt;
  const run = await db.trainingRun.findUnique({ where: { id: runId }, select: { status: true } });
  // 404, not predict's 409: a missing file is what a browser asks for here
  throw new AppError('not_found', noCheckpointYet(runId, run?.status));
}

export async function checkpointOfRun(runId: string, checkpointId: string): Promise<CheckpointRow> {
  const ckpt = await getServer().db.checkpoint.findUnique({ where: { id: checkpointId }, select: { id: true, runId: true, epoch: true, path: true } });
  // A checkpoint of another run answers as one that does not exist: the URL names both.
  if (!ckpt || ckpt.runId !== runId) throw new AppError('not_found', `Checkpoint ${checkpointId} of run ${runId} does not exist (training keeps only the best and the latest epoch)`);
  return ckpt;
}

/** Resolves `file` inside the checkpoint directory, which itself must lie inside DATA_DIR. */
function inside(ckpt: CheckpointRow, file: string): { dir: string; full: string } {
  const root = path.resolve(getServer().env.DATA_DIR);
  const dir = path.resolve(root, ckpt.path);
  const full = path.resolve(dir, file);
  if (!dir.startsWith(root + path.sep) || path.dirname(full) !== dir) throw new AppError('not_found', `Checkpoint ${ckpt.id} has no file ${file}`);
  return { dir, full };
}

const missing = (ckpt: CheckpointRow, file: string) => new AppError('not_found', `${file} of checkpoint ${ckpt.id} (epoch ${ckpt.epoch}) is missing from storage`);

type Manifest = ReturnType<typeof parseManifest>;
/** Parsed manifests by checkpoint id, size and mtime: weights requests and revalidations then cost a stat. */
const manifests = new Map<string, Manifest>();
const MAX_CACHED_MANIFESTS = 64;

async function readManifest(ckpt: CheckpointRow): Promise<Manifest> {
  const { full } = inside(ckpt, MANIFEST_FILE);
  let text: string;
  let key: string;
  try {
    const st = await stat(full);
    if (st.size > MAX_MANIFEST_BYTES) throw new AppError('internal', `${MANIFEST_FILE} of checkpoint ${ckpt.id} is ${st.size} bytes; more than a manifest can be`);
    key = `${ckpt.id}:${st.size}:${st.mtimeMs}`;
    const cached = manifests.get(key);
    if (cached) return cached;
    text = await readFile(full, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw missing(ckpt, MANIFEST_FILE);
    throw err;
  }
  let manifest: Manifest;
  try {
    manifest = parseManifest(text);
  } catch (err) {
    if (err instanceof CheckpointError) throw new AppError('internal', `Checkpoint ${ckpt.id} is unreadable: ${err.message}`);
    throw err;
  }
  if (manifests.size >= MAX_CACHED_MANIFESTS) manifests.delete(manifests.keys().next().value!);
  manifests.set(key, manifest);
  return manifest;
}

/**
 * Which files may leave: model.json and the weights it names. The optimiser state is training
 * state (as large again as the weights) and never served.
 */
async function allowedFile(ckpt: CheckpointRow, file: string): Promise<void> {
  if (file === MANIFEST_FILE) return;
  const manifest = await readManifest(ckpt);
  if (file === manifest.weights.file) return;
  if (file === OPTIMIZER_FILE || file === manifest.optimizer?.file) {
    throw new AppError('forbidden', `${file} is the optimiser state of checkpoint ${ckpt.id}; only ${MANIFEST_FILE} and ${manifest.weights.file} are served`);
  }
  throw new AppError('not_found', `Checkpoint ${ckpt.id} has no file ${file}; only ${MANIFEST_FILE} and ${manifest.weights.file} are served`);
}

/**
 * One model file with validators: the ETag names the checkpoint, the file and its size and mtime,
 * so a revalidation costs two stats (the manifest's, for its cached parse, and the file's). `cache` is the
 * Cache-Control value the route chose.
 */
export async function serveModelFile(req: Request, ckpt: CheckpointRow, file: string, cache: string): Promise<Response> {
  await allowedFile(ckpt, file);
  const { full } = inside(ckpt, file);
  let size: number, mtimeMs: number;
  try {
    ({ size, mtimeMs } = await stat(full));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw missing(ckpt, file);
    throw err;
  }
  const etag = `"${ckpt.id}-${file}-${size}-${Math.floor(mtimeMs)}"`;
  const headers: Record<string, string> = {
    'Cache-Control': cache,
    ETag: etag,
    'X-Segmenta-Checkpoint': ckpt.id,
    'X-Segmenta-Checkpoint-Epoch': String(ckpt.epoch),
  };
  const match = req.headers.get('if-none-match');
  if (match && match.split(',').some((t) => t.trim().replace(/^W\//, '') === etag)) return new Response(null, { status: 304, headers });
  const type = file === MANIFEST_FILE ? 'application/json' : 'application/octet-stream';
  // Weights run to hundreds of megabytes: stream them rather than hold them in memory (Next sends a
  // streamed body chunked, so the size travels in its own header).
  const body = Readable.toWeb(createReadStream(full)) as ReadableStream<Uint8Array>;
  return new Response(body, { headers: { ...headers, 'Content-Type': type, 'X-Segmenta-File-Size': String(size) } });
}
