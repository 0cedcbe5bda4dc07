import { NextResponse } from 'next/server';
import { parseOrThrow, runIdParamSchema } from '@segmenta/contracts';
import { route } from '@/server/http';
import { resumeRun } from '@/server/runs';
import { requireOwner } from '@/server/auth';

export const dynamic = 'force-dynamic';

/** Re-queues a cancelled or failed run; the worker continues from its last checkpoint. */
export const POST = route<{ runId: string }>(async (_req, { params, principal }) => {
  const { runId } = parseOrThrow(runIdParamSchema, await params, 'path');
  await requireOwner(principal, 'run', runId, 'train');
  return NextResponse.json(await resumeRun(runId), { status: 202 });
});
