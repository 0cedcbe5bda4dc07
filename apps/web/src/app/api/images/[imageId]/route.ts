import { NextResponse } from 'next/server';
import { AppError, imageIdParamSchema, parseOrThrow } from '@segmenta/contracts';
import { deleteImage, getImage } from '@segmenta/db';
import { getServer } from '@/server/context';
import { route } from '@/server/http';

export const dynamic = 'force-dynamic';

type Params = { imageId: string };

export const GET = route<Params>(async (_req, { params }) => {
  const { imageId } = parseOrThrow(imageIdParamSchema, await params, 'path');
  const image = await getImage(getServer().db, imageId);
  if (!image) throw new AppError('not_found', `Image ${imageId} does not exist`);
  return NextResponse.json(image);
});

/** Removes the image, its annotations and predictions, and its files unless another row uses them. */
export const DELETE = route<Params>(async (_req, { params }) => {
  const { imageId } = parseOrThrow(imageIdParamSchema, await params, 'path');
  const { db, store } = getServer();
  if (!(await deleteImage(db, store, imageId))) throw new AppError('not_found', `Image ${imageId} does not exist`);
  return new Response(null, { status: 204 });
});
