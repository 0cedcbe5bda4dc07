import { memberParamSchema, parseOrThrow } from '@segmenta/contracts';
import { audit, removeMember } from '@segmenta/db';
import { requireProjectAction } from '@/server/auth';
import { getServer } from '@/server/context';
import { route } from '@/server/http';

export const dynamic = 'force-dynamic';

export const DELETE = route<{ projectId: string; userId: string }>(async (_req, { params, principal }) => {
  const { projectId, userId } = parseOrThrow(memberParamSchema, await params, 'path');
  await requireProjectAction(principal, projectId, 'members');
  const { db } = getServer();
  await removeMember(db, projectId, userId);
  await audit(db, principal.userId, 'member.remove', { type: 'project', id: projectId }, { userId });
  return new Response(null, { status: 204 });
});
