import { NextResponse } from 'next/server';
import { AppError, createClassBodySchema, parseOrThrow, projectIdParamSchema } from '@segmenta/contracts';
import { addClass } from '@segmenta/db';
import { getServer } from '@/server/context';
import { readJson, route } from '@/server/http';

export const dynamic = 'force-dynamic';

export const POST = route<{ projectId: string }>(async (req, { params }) => {
  const { projectId } = parseOrThrow(projectIdParamSchema, await params, 'path');
  const body = parseOrThrow(createClassBodySchema, await readJson(req, 10_000), 'class');
  const { db } = getServer();
  if (!(await db.project.findUnique({ where: { id: projectId }, select: { id: true } }))) throw new AppError('not_found', `Project ${projectId} does not exist`);
  const cls = await addClass(db, projectId, body);
  return NextResponse.json(cls, { status: 201 });
});
