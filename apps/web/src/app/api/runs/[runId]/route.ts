import { NextResponse } from 'next/server';
import { AppError, parseOrThrow, runIdParamSchema } from '@segmenta/contracts';
import { getRun } from '@segmenta/db';
import { getServer } from '@/server/context';
import { route } from '@/server/http';

export const dynamic = 'force-dynamic';

/** Status, progress, config, backend, dataset snapshot, every epoch's metrics, checkpoints. */
export const GET = route<{ runId: string }>(async (_req, { params }) => {
  const { runId } = parseOrThrow(runIdParamSchema, await params, 'path');
  const run = await getRun(getServer().db, runId);
  if (!run) throw new AppError('not_found', `Run ${runId} does not exist`);
  return NextResponse.json(run, { headers: { 'Cache-Control': 'no-store' } });
});
