import { NextResponse } from 'next/server';
import { AppError, JOB_OPTIONS, listPredictionsQuerySchema, parseOrThrow, predictRequestSchema, runIdParamSchema, type PredictionDto } from '@segmenta/contracts';
import { findRunCheckpoint } from '@segmenta/db';
import { requireOwner } from '@/server/auth';
import { predictionDto } from '@/server/review';
import { getServer } from '@/server/context';
import { readJson, route } from '@/server/http';

export const dynamic = 'force-dynamic';

type Params = { runId: string };

/** Queues an inference job for the run's best (or given) checkpoint → 202 `{ jobId }`. */
export const POST = route<Params>(async (req, { params, principal }) => {
  const { runId } = parseOrThrow(runIdParamSchema, await params, 'path');
  await requireOwner(principal, 'run', runId, 'predict');
  const body = parseOrThrow(predictRequestSchema, await readJson(req, 1_000_000), 'prediction request');
  const { db, queues } = getServer();
  const run = await db.trainingRun.findUnique({ where: { id: runId }, select: { id: true, status: true } });
  if (!run) throw new AppError('not_found', `Run ${runId} does not exist`);
  const ckpt = await findRunCheckpoint(db, runId, body.checkpointId);
  if (!ckpt) throw new AppError('conflict', `Run ${runId} has no ${body.checkpointId ? `checkpoint ${body.checkpointId}` : 'checkpoint yet'}`);
  const job = await queues.inference.add('predict', { runId, ...body, checkpointId: ckpt.id }, JOB_OPTIONS);
  // A run still training predicts with its current best checkpoint; say so.
  return NextResponse.json({ jobId: job.id, checkpointId: ckpt.id, epoch: ckpt.epoch, runStatus: run.status }, { status: 202 });
});

/** Stored predictions, optionally of one image; keyset-paged by id. */
export const GET = route<Params>(async (req, { params, principal }) => {
  const { runId } = parseOrThrow(runIdParamSchema, await params, 'path');
  await requireOwner(principal, 'run', runId, 'view');
  const q = parseOrThrow(listPredictionsQuerySchema, Object.fromEntries(new URL(req.url).searchParams), 'query');
  const rows = await getServer().db.prediction.findMany({
    where: { runId, ...(q.imageId ? { imageId: q.imageId } : {}), ...(q.cursor ? { id: { gt: q.cursor } } : {}) },
    orderBy: { id: 'asc' },
    take: q.limit + 1,
    include: { labelClass: { select: { name: true } } },
  });
  const page = rows.slice(0, q.limit);
  const predictions: PredictionDto[] = page.map(predictionDto);
  return NextResponse.json({ predictions, nextCursor: rows.length > q.limit ? page[page.length - 1]!.id : null });
});
