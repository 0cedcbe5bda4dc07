import { NextResponse } from 'next/server';
import { parseOrThrow, reviewQuerySchema, runIdParamSchema } from '@segmenta/contracts';
import { requireOwner } from '@/server/auth';
import { getServer } from '@/server/context';
import { route } from '@/server/http';
import { runReview } from '@/server/review';

export const dynamic = 'force-dynamic';

/** Per-image errors, per-class precision/recall and the confusion matrix at a score threshold. */
export const GET = route<{ runId: string }>(async (req, { params, principal }) => {
  const { runId } = parseOrThrow(runIdParamSchema, await params, 'path');
  await requireOwner(principal, 'run', runId, 'view');
  const q = parseOrThrow(reviewQuerySchema, Object.fromEntries(new URL(req.url).searchParams), 'query');
  return NextResponse.json(await runReview(getServer().db, runId, q), { headers: { 'cache-control': 'no-store' } });
});
