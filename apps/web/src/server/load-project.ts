import 'server-only';
import { cache } from 'react';
import { canInProject, getImage, getProject, getRun, projectRole, type ProjectAction } from '@segmenta/db';

export { canInProject, type ProjectAction };
import type { Role } from '@segmenta/contracts';
import { pagePrincipal } from './auth/page';
import { getServer } from './context';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (id: string) => UUID_RE.test(id);

/**
 * The signed-in user's role in a project, or null when they cannot see it (pages then say "not found").
 * Cached per request: a page, its layout and its loaders ask for the same project.
 */
const roleIn = cache(async (projectId: string): Promise<Role | null> => projectRole(getServer().db, await pagePrincipal(), projectId));

/** Pages take ids from the URL: anything that is not a UUID, or not the user's to see, is simply "not found". */
export async function loadProject(projectId: string) {
  if (!isUuid(projectId)) return null;
  const role = await roleIn(projectId);
  if (!role) return null;
  const project = await getProject(getServer().db, projectId);
  return project ? { ...project, myRole: role } : null;
}

export async function loadImage(imageId: string) {
  if (!isUuid(imageId)) return null;
  const image = await getImage(getServer().db, imageId);
  return image && (await roleIn(image.projectId)) ? image : null;
}

export async function loadRun(runId: string) {
  if (!isUuid(runId)) return null;
  const run = await getRun(getServer().db, runId);
  return run && (await roleIn(run.projectId)) ? run : null;
}

/**
 * What the editor offers to pre-annotate with: each completed run's best checkpoint, the latest best
 * first. The caller has already checked the project is the user's to see (loadProject).
 */
export async function loadModelOptions(projectId: string): Promise<{ runId: string; checkpointId: string; label: string }[]> {
  const ckpts = await getServer().db.checkpoint.findMany({
    where: { isBest: true, run: { projectId, status: 'completed' } },
    orderBy: { createdAt: 'desc' },
    select: { id: true, epoch: true, run: { select: { id: true, name: true } } },
  });
  const seen = new Set<string>();
  return ckpts.flatMap((c) => (seen.has(c.run.id) ? [] : (seen.add(c.run.id), [{ runId: c.run.id, checkpointId: c.id, label: `${c.run.name} · epoch ${c.epoch}` }])));
}
