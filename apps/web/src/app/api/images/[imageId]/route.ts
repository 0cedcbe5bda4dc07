import { NextResponse } from 'next/server';
import { AppError, imageIdParamSchema, parseOrThrow } from '@segmenta/contracts';
import { audit, deleteImage, getImage } from '@segmenta/db';
import { getServer } from '@/server/context';
import { route } from '@/server/http';
import { requireOwner } from '@/server/auth';

export const dynamic = 'force-dynamic';

type Params = { imageId: string };

export const GET = route<Params>(async (_req, { params, principal }) => {
  const { imageId } = parseOrThrow(imageIdParamSchema, await params, 'path');
  await requireOwner(principal, 'image', imageId, 'view');
  const image = await getImage(getServer().db, imageId);
  if (!image) throw new AppError('not_found', `Image ${imageId} does not exist`);
  return NextResponse.json(image);
});

/** Removes the image, its annotations and predictions, and its files unless another row uses them. */
export const DELETE = route<Params>(async (_req, { params, principal }) => {
  const { imageId } = parseOrThrow(imageIdParamSchema, await params, 'path');
  await requireOwner(principal, 'image', imageId, 'upload');
  const { db, store } = getServer();
  if (!(await deleteImage(db, store, imageId))) throw new AppError('not_found', `Image ${imageId} does not exist`);
  await audit(db, principal.userId, 'image.delete', { type: 'image', id: imageId });
  return new Response(null, { status: 204 });
});
