import { NextResponse } from 'next/server';
import { imageIdParamSchema, parseOrThrow, setImageStatusBodySchema } from '@segmenta/contracts';
import { setImageStatus } from '@segmenta/db';
import { getServer } from '@/server/context';
import { requireOwner } from '@/server/auth';
import { readJson, route } from '@/server/http';

export const dynamic = 'force-dynamic';

/** Mark done / needs review, or (reviewer) accept or reject with a comment. */
export const PUT = route<{ imageId: string }>(async (req, { params, principal }) => {
  const { imageId } = parseOrThrow(imageIdParamSchema, await params, 'path');
  await requireOwner(principal, 'image', imageId, 'annotate');
  const body = parseOrThrow(setImageStatusBodySchema, await readJson(req, 10_000), 'status change');
  if (body.status === 'reviewed' || body.status === 'rejected') await requireOwner(principal, 'image', imageId, 'review');
  return NextResponse.json(await setImageStatus(getServer().db, imageId, body));
});
