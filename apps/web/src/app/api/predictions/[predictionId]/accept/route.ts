import { NextResponse } from 'next/server';
import { acceptPredictionBodySchema, parseOrThrow, predictionIdParamSchema } from '@segmenta/contracts';
import { acceptPrediction } from '@segmenta/db';
import { requireOwner } from '@/server/auth';
import { getServer } from '@/server/context';
import { readJson, route } from '@/server/http';

export const dynamic = 'force-dynamic';

/** One prediction → a model-made polygon annotation on its image → `{ annotationId, version }`. */
export const POST = route<{ predictionId: string }>(async (req, { params, principal }) => {
  const { predictionId } = parseOrThrow(predictionIdParamSchema, await params, 'path');
  await requireOwner(principal, 'prediction', predictionId, 'annotate');
  const body = parseOrThrow(acceptPredictionBodySchema, await readJson(req, 10_000), 'body');
  return NextResponse.json(await acceptPrediction(getServer().db, predictionId, { ...body, actorId: principal.userId }), { status: 201 });
});
