import { NextResponse } from 'next/server';
import { parseOrThrow, projectIdParamSchema, trainingConfigSchema } from '@segmenta/contracts';
import { listRuns } from '@segmenta/db';
import { getServer } from '@/server/context';
import { readJson, route } from '@/server/http';
import { launchRun } from '@/server/runs';
import { requireProjectAction } from '@/server/auth';

export const dynamic = 'force-dynamic';

type Params = { projectId: string };

export const GET = route<Params>(async (_req, { params, principal }) => {
  const { projectId } = parseOrThrow(projectIdParamSchema, await params, 'path');
  await requireProjectAction(principal, projectId, 'view');
  return NextResponse.json({ runs: await listRuns(getServer().db, projectId) });
});

/** Launch a training run: 202 `{ id }`; the run trains on a worker. */
export const POST = route<Params>(async (req, { params, principal }) => {
  const { projectId } = parseOrThrow(projectIdParamSchema, await params, 'path');
  await requireProjectAction(principal, projectId, 'train');
  const config = parseOrThrow(trainingConfigSchema, await readJson(req, 100_000), 'training config');
  const run = await launchRun(projectId, config, principal.userId);
  return NextResponse.json({ id: run.id }, { status: 202, headers: { Location: `/api/runs/${run.id}` } });
});
