import { NextResponse } from 'next/server';
import { parseOrThrow, runIdParamSchema } from '@segmenta/contracts';
import { route } from '@/server/http';
import { resumeTraining } from '@/server/runs';
import { requireOwner } from '@/server/auth';

export const dynamic = 'force-dynamic';

/** Re-queues a cancelled or failed run: it continues from its newest checkpoint, or starts over without one (`resume` says which). */
export const POST = route<{ runId: string }>(async (_req, { params, principal }) => {
  const { runId } = parseOrThrow(runIdParamSchema, await params, 'path');
  await requireOwner(principal, 'run', runId, 'train');
  return NextResponse.json(await resumeTraining(runId), { status: 202 });
});
