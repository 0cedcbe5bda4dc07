import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { NextResponse } from 'next/server';
import { z } from 'zod';
import { AppError, parseOrThrow } from '@segmenta/contracts';
import { route } from '@/server/http';
import { QueueFullError, TaskAbortedError } from '@/server/bounded-pool';
import { getServer } from '@/server/context';
import { getInferencePool } from '@/server/inference-pool';
import { resolveCheckpoint } from '@/server/models';
import { withMultipart } from '@/server/multipart';

export const dynamic = 'force-dynamic';

const fieldsSchema = z.object({
  runId: z.string().uuid('must be a run id (UUID)').optional(),
  scoreThreshold: z.coerce.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1').default(0.05),
});
const querySchema = z.object({ format: z.enum(['json', 'png']).default('json') });

/**
 * One image through a trained model (the run's best checkpoint; by default the latest best):
 * COCO results (category_id, category_name, bbox, score, segmentation as RLE), or `?format=png` for
 * the overlay. The work runs in the inference pool's threads; a full queue answers 503 + Retry-After.
 * A run still training predicts with its best checkpoint so far, said in X-Segmenta-Run-Status and
 * X-Segmenta-Notice.
 */
export const POST = route(async (req, { principal }) => {
  const { format } = parseOrThrow(querySchema, Object.fromEntries(new URL(req.url).searchParams), 'query');
  if (!(req.headers.get('content-type') ?? '').startsWith('multipart/form-data')) throw new AppError('unsupported_media_type', 'Expected multipart/form-data with an "image" part');
  const spec = { fields: { image: { maxBytes: getServer().env.UPLOAD_MAX_BYTES, setting: 'UPLOAD_MAX_BYTES' } } };
  const { task, ckpt } = await withMultipart(req, spec, async ({ files, texts }) => {
    const file = files[0];
    if (!file) throw new AppError('validation_failed', 'Invalid request: image: attach an image file', [{ path: 'image', message: 'attach an image file' }]);
    const text = (name: string) => texts.find((t) => t.field === name)?.value;
    const fields = parseOrThrow(fieldsSchema, { runId: text('runId'), scoreThreshold: text('scoreThreshold') }, 'request');
    if (file.size === 0) throw new AppError('validation_failed', 'Invalid request: image: the image file is empty', [{ path: 'image', message: 'the image file is empty' }]);
    const ckpt = await resolveCheckpoint(principal, fields.runId);
    const bytes = await readFile(file.path);
    const task = {
      checkpointId: ckpt.id,
      checkpointDir: path.join(getServer().env.DATA_DIR, ckpt.path),
      bytes: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
      scoreThreshold: fields.scoreThreshold,
      format,
    };
    return { task, ckpt };
  });
  let out;
  try {
    out = await getInferencePool().submit(task, req.signal);
  } catch (err) {
    if (err instanceof QueueFullError) {
      throw new AppError('service_unavailable', err.message, [], err.retryAfterS);
    }
    // 499 as nginx logs it: nobody is left to read the answer.
    if (err instanceof TaskAbortedError) return new Response(null, { status: 499 });
    throw err;
  }
  const headers: Record<string, string> = { 'X-Segmenta-Run': ckpt.runId, 'X-Segmenta-Checkpoint-Epoch': String(ckpt.epoch), 'X-Segmenta-Run-Status': ckpt.run.status };
  if (ckpt.run.status === 'running' || ckpt.run.status === 'queued') {
    headers['X-Segmenta-Notice'] = `Run ${ckpt.runId} is still training; predicted with its best checkpoint so far (epoch ${ckpt.epoch})`;
  }
  if (out.png) return new Response(out.png, { headers: { ...headers, 'Content-Type': 'image/png' } });
  return NextResponse.json(out.results, { headers });
});
