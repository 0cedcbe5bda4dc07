import { NextResponse } from 'next/server';
import { AppError, parseOrThrow, projectIdParamSchema } from '@segmenta/contracts';
import { getProject } from '@segmenta/db';
import { getServer } from '@/server/context';
import { route } from '@/server/http';

export const dynamic = 'force-dynamic';

export const GET = route<{ projectId: string }>(async (_req, { params }) => {
  const { projectId } = parseOrThrow(projectIdParamSchema, await params, 'path');
  const project = await getProject(getServer().db, projectId);
  if (!project) throw new AppError('not_found', `Project ${projectId} does not exist`);
  return NextResponse.json(project);
});
