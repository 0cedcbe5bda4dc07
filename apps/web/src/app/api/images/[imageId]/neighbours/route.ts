import { NextResponse } from 'next/server';
import { AppError, imageIdParamSchema, neighboursQuerySchema, parseOrThrow } from '@segmenta/contracts';
import { imageNeighbours } from '@segmenta/db';
import { getServer } from '@/server/context';
import { route } from '@/server/http';
import { requireOwner } from '@/server/auth';

export const dynamic = 'force-dynamic';

/** Previous / next image in gallery order under the gallery's filters, and the next unlabelled one. */
export const GET = route<{ imageId: string }>(async (req, { params, principal }) => {
  const { imageId } = parseOrThrow(imageIdParamSchema, await params, 'path');
  await requireOwner(principal, 'image', imageId, 'view');
  const filter = parseOrThrow(neighboursQuerySchema, Object.fromEntries(new URL(req.url).searchParams), 'query');
  const found = await imageNeighbours(getServer().db, imageId, filter);
  if (!found) throw new AppError('not_found', `Image ${imageId} does not exist`);
  return NextResponse.json(found, { headers: { 'cache-control': 'no-store' } });
});
