import { NextResponse } from 'next/server';
import { AppError, parseOrThrow, projectIdParamSchema, updateProjectBodySchema } from '@segmenta/contracts';
import { audit, deleteProject, getProject, updateProject } from '@segmenta/db';
import { getServer } from '@/server/context';
import { readJson, route } from '@/server/http';
import { requireProjectAction } from '@/server/auth';

export const dynamic = 'force-dynamic';

type Params = { projectId: string };
const notFound = (id: string) => new AppError('not_found', `Project ${id} does not exist`);

export const GET = route<Params>(async (_req, { params, principal }) => {
  const { projectId } = parseOrThrow(projectIdParamSchema, await params, 'path');
  await requireProjectAction(principal, projectId, 'view');
  const project = await getProject(getServer().db, projectId);
  if (!project) throw notFound(projectId);
  return NextResponse.json(project);
});

/** Rename, describe, archive (`archived: true`) or restore. */
export const PATCH = route<Params>(async (req, { params, principal }) => {
  const { projectId } = parseOrThrow(projectIdParamSchema, await params, 'path');
  await requireProjectAction(principal, projectId, 'manage');
  const body = parseOrThrow(updateProjectBodySchema, await readJson(req, 10_000), 'project update');
  const project = await updateProject(getServer().db, projectId, body);
  if (!project) throw notFound(projectId);
  return NextResponse.json(project);
});

/** Deletes the project with its images, annotations, runs and the files nothing else uses. */
export const DELETE = route<Params>(async (_req, { params, principal }) => {
  const { projectId } = parseOrThrow(projectIdParamSchema, await params, 'path');
  await requireProjectAction(principal, projectId, 'delete');
  const { db, store } = getServer();
  if (!(await deleteProject(db, store, projectId))) throw notFound(projectId);
  await audit(db, principal.userId, 'project.delete', { type: 'project', id: projectId });
  return new Response(null, { status: 204 });
});
