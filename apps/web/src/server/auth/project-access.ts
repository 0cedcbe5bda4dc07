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
  const projectId = await projectOf[kind](db, id);
  if (!projectId) throw new AppError('not_found', `${label[kind]} ${id} does not exist`);
  try {
    await requireProject(db, principal, projectId, action, label[kind]);
  } catch (err) {
    if (err instanceof AppError && err.status === 404) throw new AppError('not_found', `${label[kind]} ${id} does not exist`);
    throw err;
  }
  return projectId;
}

export async function requireProjectAction(principal: Principal, projectId: string, action: ProjectAction): Promise<void> {
  try {
    await requireProject(getServer().db, principal, projectId, action);
  } catch (err) {
    if (err instanceof AppError && err.status === 404) throw new AppError('not_found', `Project ${projectId} does not exist`);
    throw err;
  }
}

export function requireGlobalRole(principal: Principal, ...roles: Principal['role'][]): void {
  if (!roles.includes(principal.role)) throw new AppError('forbidden', `This needs the ${roles.join(' or ')} role; you are ${principal.role === 'admin' ? 'an admin' : `a ${principal.role}`}`);
}
