// Who may do what in a project. Admins may do anything anywhere; everyone else acts through a
// project membership, and a project they are not a member of does not exist for them (404, so ids
// never confirm what exists).

import { AppError, type MemberDto, type Role } from '@segmenta/contracts';
import type { Db } from '../client';
import type { Principal } from './sessions';

export type ProjectAction = 'view' | 'annotate' | 'review' | 'upload' | 'import' | 'export' | 'train' | 'predict' | 'manage' | 'delete' | 'members';

/** What each project role may do. `admin` in a project is its owner. */
const allowed: Record<Role, readonly ProjectAction[]> = {
  annotator: ['view', 'annotate', 'review'],
  researcher: ['view', 'annotate', 'review', 'upload', 'import', 'export', 'train', 'predict', 'manage'],
  admin: ['view', 'annotate', 'review', 'upload', 'import', 'export', 'train', 'predict', 'manage', 'delete', 'members'],
};

const describe: Record<ProjectAction, string> = {
  view: 'view this project',
  annotate: 'label images',
  review: 'review images',
  upload: 'upload or delete images',
  import: 'import annotations',
  export: 'export the dataset',
  train: 'launch, cancel or resume training',
  predict: 'run predictions',
  manage: 'change classes and splits',
  delete: 'delete this project',
  members: 'manage members',
};

/** The role the principal holds in the project, or null when the project is not theirs to see. */
export async function projectRole(db: Db, principal: Principal, projectId: string): Promise<Role | null> {
  if (principal.role === 'admin') return (await db.project.count({ where: { id: projectId } })) ? 'admin' : null;
  const m = await db.projectMember.findUnique({ where: { projectId_userId: { projectId, userId: principal.userId } }, select: { role: true } });
  // A global annotator never holds more than annotator rights, whatever the membership says.
  if (!m) return null;
  return principal.role === 'annotator' ? 'annotator' : m.role;
}

/** Throws 404 for a project the principal cannot see, 403 for an action their role does not allow. */
export async function requireProject(db: Db, principal: Principal, projectId: string, action: ProjectAction, notFound = `Project ${projectId} does not exist`): Promise<Role> {
  const role = await projectRole(db, principal, projectId);
  if (!role) throw new AppError('not_found', notFound);
  if (!allowed[role].includes(action)) throw new AppError('forbidden', `As ${role === 'admin' ? 'the owner' : `an ${role}`} of this project you cannot ${describe[action]}`);
  return role;
}

export const canInProject = (role: Role, action: ProjectAction) => allowed[role].includes(action);

/** Ids of the projects the principal can see (null: all of them). */
export async function visibleProjectIds(db: Db, principal: Principal): Promise<string[] | null> {
  if (principal.role === 'admin') return null;
  return (await db.projectMember.findMany({ where: { userId: principal.userId }, select: { projectId: true } })).map((m) => m.projectId);
}

export async function listMembers(db: Db, projectId: string): Promise<MemberDto[]> {
  const rows = await db.projectMember.findMany({ where: { projectId }, include: { user: { select: { email: true, name: true } } }, orderBy: { createdAt: 'asc' } });
  return rows.map((m) => ({ userId: m.userId, email: m.user.email, name: m.user.name, role: m.role }));
}

export async function setMember(db: Db, projectId: string, email: string, role: Role): Promise<MemberDto> {
  const user = await db.user.findUnique({ where: { email }, select: { id: true, email: true, name: true } });
  if (!user) throw new AppError('not_found', `No user has the email ${email}; an admin creates accounts first`, [{ path: 'email', message: 'unknown user' }]);
  const m = await db.projectMember.upsert({ where: { projectId_userId: { projectId, userId: user.id } }, create: { projectId, userId: user.id, role }, update: { role } });
  return { userId: user.id, email: user.email, name: user.name, role: m.role };
}

export async function removeMember(db: Db, projectId: string, userId: string): Promise<void> {
  const { count } = await db.projectMember.deleteMany({ where: { projectId, userId } });
  if (!count) throw new AppError('not_found', `User ${userId} is not a member of this project`);
}

/** Project ids behind the ids that appear in URLs, for authorisation; null when the row does not exist. */
export const projectOf = {
  image: async (db: Db, id: string) => (await db.image.findUnique({ where: { id }, select: { projectId: true } }))?.projectId ?? null,
  run: async (db: Db, id: string) => (await db.trainingRun.findUnique({ where: { id }, select: { projectId: true } }))?.projectId ?? null,
  labelClass: async (db: Db, id: string) => (await db.labelClass.findUnique({ where: { id }, select: { projectId: true } }))?.projectId ?? null,
  prediction: async (db: Db, id: string) => (await db.prediction.findUnique({ where: { id }, select: { run: { select: { projectId: true } } } }))?.run.projectId ?? null,
};
