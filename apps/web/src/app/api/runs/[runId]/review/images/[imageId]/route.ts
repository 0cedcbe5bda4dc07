import { NextResponse } from 'next/server';
import { parseOrThrow, reviewImageParamsSchema } from '@segmenta/contracts';
import { requireOwner } from '@/server/auth';
import { getServer } from '@/server/context';
import { route } from '@/server/http';
import { reviewImage } from '@/server/review';

export const dynamic = 'force-dynamic';

/** What the review page draws for one image: its annotations and this run's predictions. */
export const GET = route<{ runId: string; imageId: string }>(async (_req, { params, principal }) => {
  const { runId, imageId } = parseOrThrow(reviewImageParamsSchema, await params, 'path');
  await requireOwner(principal, 'run', runId, 'view');
  return NextResponse.json(await reviewImage(getServer().db, runId, imageId), { headers: { 'cache-control': 'no-store' } });
});
