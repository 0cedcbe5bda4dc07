import { NextResponse } from 'next/server';
import { parseOrThrow, runIdParamSchema } from '@segmenta/contracts';
import { route } from '@/server/http';
import { cancelRun } from '@/server/runs';
import { requireOwner } from '@/server/auth';

export const dynamic = 'force-dynamic';

/** A queued run is dropped; a running one stops within one step and keeps its last checkpoint. */
export const POST = route<{ runId: string }>(async (_req, { params, principal }) => {
  const { runId } = parseOrThrow(runIdParamSchema, await params, 'path');
  await requireOwner(principal, 'run', runId, 'train');
  return NextResponse.json(await cancelRun(runId), { status: 202 });
});
