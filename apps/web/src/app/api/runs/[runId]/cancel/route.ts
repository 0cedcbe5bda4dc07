import { NextResponse } from 'next/server';
import { parseOrThrow, runIdParamSchema } from '@segmenta/contracts';
import { route } from '@/server/http';
import { cancelRun } from '@/server/runs';

export const dynamic = 'force-dynamic';

/** A queued run is dropped; a running one stops within one step and keeps its last checkpoint. */
export const POST = route<{ runId: string }>(async (_req, { params }) => {
  const { runId } = parseOrThrow(runIdParamSchema, await params, 'path');
  return NextResponse.json(await cancelRun(runId), { status: 202 });
});
