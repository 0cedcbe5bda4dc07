import { NextResponse } from 'next/server';
import { parseOrThrow, runIdParamSchema } from '@segmenta/contracts';
import { route } from '@/server/http';
import { resumeRun } from '@/server/runs';

export const dynamic = 'force-dynamic';

/** Re-queues a cancelled or failed run; the worker continues from its last checkpoint. */
export const POST = route<{ runId: string }>(async (_req, { params }) => {
  const { runId } = parseOrThrow(runIdParamSchema, await params, 'path');
  return NextResponse.json(await resumeRun(runId), { status: 202 });
});
