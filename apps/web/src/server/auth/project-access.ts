import 'server-only';
import { AppError } from '@segmenta/contracts';
import { projectOf, requireProject, type Principal, type ProjectAction } from '@segmenta/db';
import { getServer } from '../context';

type Kind = keyof typeof projectOf;
const label: Record<Kind, string> = { image: 'Image', run: 'Run', labelClass: 'Class', prediction: 'Prediction' };

/**
 * Authorises an action on the project that owns a row named in the URL. A row in a project the
 * principal cannot see answers exactly like a row that does not exist.
 */
export async function requireOwner(principal: Principal, kind: Kind, id: string, action: ProjectAction): Promise<string> {
  const { db } = getServer();
  const missing = `${label[kind]} ${id} does not exist`;
  const projectId = await projectOf[kind](db, id);
  if (!projectId) throw new AppError('not_found', missing);
  await requireProject(db, principal, projectId, action, missing);
  return projectId;
}

export async function requireProjectAction(principal: Principal, projectId: string, action: ProjectAction): Promise<void> {
  await requireProject(getServer().db, principal, projectId, action);
}

export function requireGlobalRole(principal: Principal, ...roles: Principal['role'][]): void {
  if (!roles.includes(principal.role)) throw new AppError('forbidden', `This needs the ${roles.join(' or ')} role; you are ${principal.role === 'admin' ? 'an admin' : `a ${principal.role}`}`);
}
