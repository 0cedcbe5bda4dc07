import { NextResponse } from 'next/server';
import { acceptPredictionsBodySchema, parseOrThrow, runIdParamSchema } from '@segmenta/contracts';
import { acceptPredictions } from '@segmenta/db';
import { requireOwner } from '@/server/auth';
import { getServer } from '@/server/context';
import { readJson, route } from '@/server/http';

export const dynamic = 'force-dynamic';

/** Every prediction of the run at or above the threshold (optionally of some images) → annotations, one transaction per image. */
export const POST = route<{ runId: string }>(async (req, { params, principal }) => {
  const { runId } = parseOrThrow(runIdParamSchema, await params, 'path');
  await requireOwner(principal, 'run', runId, 'annotate');
  const body = parseOrThrow(acceptPredictionsBodySchema, await readJson(req, 1_000_000), 'body');
  return NextResponse.json(await acceptPredictions(getServer().db, runId, { ...body, actorId: principal.userId }));
});
