import { NextResponse } from 'next/server';
import { parseOrThrow, runIdParamSchema } from '@segmenta/contracts';
import { route } from '@/server/http';
import { cancelTraining } from '@/server/runs';
import { requireOwner } from '@/server/auth';

export const dynamic = 'force-dynamic';

/** Cancelled at once: a queued run's job is dropped; a worker training it stops after its current step, keeping its checkpoints. */
export const POST = route<{ runId: string }>(async (_req, { params, principal }) => {
  const { runId } = parseOrThrow(runIdParamSchema, await params, 'path');
  await requireOwner(principal, 'run', runId, 'train');
  return NextResponse.json(await cancelTraining(runId), { status: 202 });
});
