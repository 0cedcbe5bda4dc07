import type { Role } from '@segmenta/contracts';
import type { Db } from '../client';
import { newSecret, sha256 } from './secrets';

export interface Principal {
  userId: string;
  email: string;
  role: Role;
  via: 'session' | 'token';
  sessionId?: string;
  tokenId?: string;
}

export async function createSession(db: Db, userId: string, ttlHours: number, userAgent: string | null): Promise<{ token: string; expiresAt: Date; sessionId: string }> {
  const token = newSecret();
  const expiresAt = new Date(Date.now() + ttlHours * 3600_000);
  const session = await db.session.create({ data: { userId, tokenHash: sha256(token), expiresAt, userAgent: userAgent?.slice(0, 300) ?? null } });
  return { token, expiresAt, sessionId: session.id };
}

/** The signed-in user behind a session cookie, or null when it is unknown, expired, revoked or disabled. */
export async function principalFromSession(db: Db, token: string): Promise<Principal | null> {
  const session = await db.session.findUnique({ where: { tokenHash: sha256(token) }, include: { user: { select: { id: true, email: true, role: true, disabledAt: true } } } });
  if (!session || session.revokedAt || session.expiresAt <= new Date() || session.user.disabledAt) return null;
  // Recording activity on every request would be a write per request; once a minute is plenty.
  if (Date.now() - session.lastSeenAt.getTime() > 60_000) await db.session.update({ where: { id: session.id }, data: { lastSeenAt: new Date() } });
  return { userId: session.user.id, email: session.user.email, role: session.user.role, via: 'session', sessionId: session.id };
}

export async function revokeSession(db: Db, sessionId: string): Promise<void> {
  await db.session.updateMany({ where: { id: sessionId, revokedAt: null }, data: { revokedAt: new Date() } });
}
