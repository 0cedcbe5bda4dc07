import { NextResponse } from 'next/server';
import { createProjectBodySchema, parseOrThrow } from '@segmenta/contracts';
import { createProject, listProjects } from '@segmenta/db';
import { getServer } from '@/server/context';
import { readJson, route } from '@/server/http';

export const dynamic = 'force-dynamic';

export const GET = route(async (req) => {
  const includeArchived = new URL(req.url).searchParams.get('includeArchived') === 'true';
  return NextResponse.json({ projects: await listProjects(getServer().db, { includeArchived }) });
});

export const POST = route(async (req) => {
  const body = parseOrThrow(createProjectBodySchema, await readJson(req, 100_000), 'project');
  const project = await createProject(getServer().db, body);
  return NextResponse.json(project, { status: 201, headers: { Location: `/api/projects/${project.id}` } });
});
