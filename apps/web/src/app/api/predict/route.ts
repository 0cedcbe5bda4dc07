import { NextResponse } from 'next/server';
import { z } from 'zod';
import { AppError, parseOrThrow } from '@segmenta/contracts';
import { decodeImage, ImageLoadError, predictDetections, renderOverlay, toCocoResults } from '@segmenta/maskrcnn';
import { route } from '@/server/http';
import { getPredictor, resolveCheckpoint } from '@/server/models';

export const dynamic = 'force-dynamic';

const fieldsSchema = z.object({
  runId: z.string().uuid('must be a run id (UUID)').optional(),
  scoreThreshold: z.coerce.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1').default(0.05),
});
const querySchema = z.object({ format: z.enum(['json', 'png']).default('json') });

/**
 * One image through a trained model (the run's best checkpoint; by default the latest best):
 * COCO results (category_id, category_name, bbox, score, segmentation as RLE), or `?format=png` for
 * the overlay.
 */
export const POST = route(async (req) => {
  const { format } = parseOrThrow(querySchema, Object.fromEntries(new URL(req.url).searchParams), 'query');
  if (!(req.headers.get('content-type') ?? '').startsWith('multipart/form-data')) throw new AppError('unsupported_media_type', 'Expected multipart/form-data with an "image" part');
  const form = await req.formData().catch((err: Error) => {
    throw new AppError('bad_request', `The multipart body could not be read: ${err.message}`);
  });
  const file = form.get('image');
  if (!file || typeof file === 'string') throw new AppError('validation_failed', 'Invalid request: image: attach an image file', [{ path: 'image', message: 'attach an image file' }]);
  const fields = parseOrThrow(fieldsSchema, { runId: form.get('runId') ?? undefined, scoreThreshold: form.get('scoreThreshold') ?? undefined }, 'request');
  let image;
  try {
    image = await decodeImage(new Uint8Array(await file.arrayBuffer()));
  } catch (err) {
    if (err instanceof ImageLoadError) throw new AppError('validation_failed', `Invalid request: image: ${err.message}`, [{ path: 'image', message: err.message }]);
    throw err;
  }
  const ckpt = await resolveCheckpoint(fields.runId);
  const predictor = await getPredictor(ckpt.id, ckpt.path);
  const pred = await predictDetections(predictor, image, { scoreThreshold: fields.scoreThreshold });
  if (format === 'png') {
    return new Response(new Uint8Array(await renderOverlay(image, pred, predictor.classes)), { headers: { 'Content-Type': 'image/png', 'X-Segmenta-Run': ckpt.runId } });
  }
  return NextResponse.json(toCocoResults(pred, predictor.classes), { headers: { 'X-Segmenta-Run': ckpt.runId, 'X-Segmenta-Checkpoint-Epoch': String(ckpt.epoch) } });
});
