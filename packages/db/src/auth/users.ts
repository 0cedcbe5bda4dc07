import { AppError, type MeDto, type Role, type UserDto } from '@segmenta/contracts';
import type { Db } from '../client';
import { decoyHash, hashPassword, verifyPassword } from './secrets';

type UserRow = { id: string; email: string; name: string | null; role: Role; disabledAt: Date | null; createdAt: Date };

export const userDto = (u: UserRow): UserDto => ({ id: u.id, email: u.email, name: u.name, role: u.role, disabled: u.disabledAt !== null, createdAt: u.createdAt.toISOString() });

export async function createUser(db: Db, input: { email: string; name?: string; password: string; role: Role }): Promise<UserDto> {
  const existing = await db.user.findUnique({ where: { email: input.email }, select: { id: true } });
  if (existing) throw new AppError('conflict', `A user with email ${input.email} already exists`, [{ path: 'email', message: 'is taken' }]);
  const user = await db.user.create({ data: { email: input.email, name: input.name ?? null, role: input.role, passwordHash: await hashPassword(input.password) } });
  return userDto(user);
}

/** The user for these credentials, or null; unknown emails cost the same time as wrong passwords. */
export async function checkCredentials(db: Db, email: string, password: string): Promise<UserRow | null> {
  const user = await db.user.findUnique({ where: { email } });
  if (!user) {
    await verifyPassword(await decoyHash(), password);
    return null;
  }
  if (!(await verifyPassword(user.passwordHash, password))) return null;
  return user.disabledAt ? null : user;
}

export async function listUsers(db: Db): Promise<UserDto[]> {
  return (await db.user.findMany({ orderBy: { email: 'asc' } })).map(userDto);
}

export async function updateUser(db: Db, id: string, input: { name?: string; role?: Role; disabled?: boolean; password?: string }): Promise<UserDto> {
  const user = await db.$transaction(async (tx) => {
    const current = await tx.user.findUnique({ where: { id } });
    if (!current) throw new AppError('not_found', `User ${id} does not exist`);
    // Never leave the platform without an active admin.
    const losesAdmin = current.role === 'admin' && !current.disabledAt && ((input.role && input.role !== 'admin') || input.disabled === true);
    // Row locks on every active admin serialise concurrent demotions: the second waits, then sees the first.
    const activeAdmins = losesAdmin ? await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "User" WHERE role = 'admin' AND "disabledAt" IS NULL FOR UPDATE` : [];
    if (losesAdmin && activeAdmins.length <= 1) {
      throw new AppError('conflict', `${current.email} is the last active admin; make another user admin first`, [{ path: input.role ? 'role' : 'disabled', message: 'would leave no active admin' }]);
    }
    const updated = await tx.user.update({
      where: { id },
      data: {
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.role ? { role: input.role } : {}),
        ...(input.disabled !== undefined ? { disabledAt: input.disabled ? (current.disabledAt ?? new Date()) : null } : {}),
        ...(input.password ? { passwordHash: await hashPassword(input.password) } : {}),
      },
    });
    // A disabled account or a reset password ends every sign-in at once.
    if (input.disabled || input.password) await tx.session.updateMany({ where: { userId: id, revokedAt: null }, data: { revokedAt: new Date() } });
    if (input.disabled) await tx.apiToken.updateMany({ where: { userId: id, revokedAt: null }, data: { revokedAt: new Date() } });
    return updated;
  });
  return userDto(user);
}

export async function changePassword(db: Db, userId: string, currentPassword: string, newPassword: string, keepSessionId?: string): Promise<void> {
  const user = await db.user.findUniqueOrThrow({ where: { id: userId } });
  if (!(await verifyPassword(user.passwordHash, currentPassword))) {
    throw new AppError('forbidden', 'The current password is wrong', [{ path: 'currentPassword', message: 'does not match' }]);
  }
  await db.$transaction([
    db.user.update({ where: { id: userId }, data: { passwordHash: await hashPassword(newPassword) } }),
    db.session.updateMany({ where: { userId, revokedAt: null, ...(keepSessionId ? { id: { not: keepSessionId } } : {}) }, data: { revokedAt: new Date() } }),
  ]);
}

export async function describeMe(db: Db, userId: string, via: MeDto['via']): Promise<MeDto> {
  const user = await db.user.findUniqueOrThrow({ where: { id: userId }, include: { memberships: { include: { project: { select: { name: true } } }, orderBy: { createdAt: 'asc' } } } });
  return { ...userDto(user), via, memberships: user.memberships.map((m) => ({ projectId: m.projectId, projectName: m.project.name, role: m.role })) };
}

/** Creates the admin named by the environment unless a user with that email exists. */
export async function ensureAdmin(db: Db, email: string, password: string): Promise<{ created: boolean; userId: string }> {
  const existing = await db.user.findUnique({ where: { email }, select: { id: true } });
  if (existing) return { created: false, userId: existing.id };
  try {
    const user = await db.user.create({ data: { email, role: 'admin', passwordHash: await hashPassword(password) } });
    return { created: true, userId: user.id };
  } catch (err) {
    // Web and worker may bootstrap at the same moment; the loser finds the winner's row.
    const again = await db.user.findUnique({ where: { email }, select: { id: true } });
    if (again) return { created: false, userId: again.id };
    throw err;
  }
}
