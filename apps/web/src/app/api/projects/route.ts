import { NextResponse } from 'next/server';
import { createProjectBodySchema, listProjectsQuerySchema, parseOrThrow } from '@segmenta/contracts';
import { createProject, listProjects, visibleProjectIds } from '@segmenta/db';
import { requireGlobalRole } from '@/server/auth';
import { getServer } from '@/server/context';
import { readJson, route } from '@/server/http';

export const dynamic = 'force-dynamic';

/** The projects the caller can see: all for admins, their memberships for everyone else. */
export const GET = route(async (req, { principal }) => {
  const { includeArchived } = parseOrThrow(listProjectsQuerySchema, Object.fromEntries(new URL(req.url).searchParams), 'query');
  const { db } = getServer();
  return NextResponse.json({ projects: await listProjects(db, { includeArchived, onlyIds: await visibleProjectIds(db, principal) }) });
});

/** Admins and researchers create projects and become their owners. */
export const POST = route(async (req, { principal }) => {
  requireGlobalRole(principal, 'admin', 'researcher');
  const body = parseOrThrow(createProjectBodySchema, await readJson(req, 100_000), 'project');
  const project = await createProject(getServer().db, body, principal.userId);
  return NextResponse.json(project, { status: 201, headers: { Location: `/api/projects/${project.id}` } });
});
