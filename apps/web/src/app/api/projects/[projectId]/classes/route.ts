import { NextResponse } from 'next/server';
import { AppError, createClassBodySchema, parseOrThrow, projectIdParamSchema } from '@segmenta/contracts';
import { addClass } from '@segmenta/db';
import { getServer } from '@/server/context';
import { readJson, route } from '@/server/http';
import { requireProjectAction } from '@/server/auth';

export const dynamic = 'force-dynamic';

export const POST = route<{ projectId: string }>(async (req, { params, principal }) => {
  const { projectId } = parseOrThrow(projectIdParamSchema, await params, 'path');
  await requireProjectAction(principal, projectId, 'manage');
  const body = parseOrThrow(createClassBodySchema, await readJson(req, 10_000), 'class');
  const { db } = getServer();
  if (!(await db.project.findUnique({ where: { id: projectId }, select: { id: true } }))) throw new AppError('not_found', `Project ${projectId} does not exist`);
  const cls = await addClass(db, projectId, body);
  return NextResponse.json(cls, { status: 201 });
});
