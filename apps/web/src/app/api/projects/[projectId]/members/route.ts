import { NextResponse } from 'next/server';
import { parseOrThrow, projectIdParamSchema, setMemberBodySchema } from '@segmenta/contracts';
import { audit, listMembers, setMember } from '@segmenta/db';
import { requireProjectAction } from '@/server/auth';
import { getServer } from '@/server/context';
import { readJson, route } from '@/server/http';

export const dynamic = 'force-dynamic';

type Params = { projectId: string };

export const GET = route<Params>(async (_req, { params, principal }) => {
  const { projectId } = parseOrThrow(projectIdParamSchema, await params, 'path');
  await requireProjectAction(principal, projectId, 'view');
  return NextResponse.json({ members: await listMembers(getServer().db, projectId) });
});

/** Adds a user (by email) to the project or changes their role: admins and the project's owners. */
export const PUT = route<Params>(async (req, { params, principal }) => {
  const { projectId } = parseOrThrow(projectIdParamSchema, await params, 'path');
  await requireProjectAction(principal, projectId, 'members');
  const body = parseOrThrow(setMemberBodySchema, await readJson(req, 10_000), 'member');
  const { db } = getServer();
  const member = await setMember(db, projectId, body.email, body.role);
  await audit(db, principal.userId, 'member.set', { type: 'project', id: projectId }, { userId: member.userId, role: member.role });
  return NextResponse.json(member);
});
