import { NextResponse } from 'next/server';
import { AppError, imageIdParamSchema, parseOrThrow, putAnnotationsBodySchema } from '@segmenta/contracts';
import { getImageAnnotations, saveImageAnnotations } from '@segmenta/db';
import { getServer } from '@/server/context';
import { readJson, route } from '@/server/http';
import { requireOwner } from '@/server/auth';

export const dynamic = 'force-dynamic';

type Params = { imageId: string };

export const GET = route<Params>(async (_req, { params, principal }) => {
  const { imageId } = parseOrThrow(imageIdParamSchema, await params, 'path');
  await requireOwner(principal, 'image', imageId, 'view');
  const set = await getImageAnnotations(getServer().db, imageId);
  if (!set) throw new AppError('not_found', `Image ${imageId} does not exist`);
  return NextResponse.json(set, { headers: { 'cache-control': 'no-store' } });
});

/** Replaces the whole set when `version` is current (409 otherwise); bbox and area come from the polygons. */
export const PUT = route<Params>(async (req, { params, principal }) => {
  const started = performance.now();
  const { imageId } = parseOrThrow(imageIdParamSchema, await params, 'path');
  await requireOwner(principal, 'image', imageId, 'annotate');
  // 5,000 instances × 10,000 vertices is far beyond any real image; 20 MB holds the largest sane set.
  const body = parseOrThrow(putAnnotationsBodySchema, await readJson(req, 20_000_000), 'annotations');
  const saved = await saveImageAnnotations(getServer().db, imageId, body, principal.userId);
  // Server-Timing lets the benchmark (and the browser's devtools) separate server time from transfer.
  return NextResponse.json(saved, { headers: { 'server-timing': `save;dur=${(performance.now() - started).toFixed(1)}` } });
});
