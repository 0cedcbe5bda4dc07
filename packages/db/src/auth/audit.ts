import type { AuditEntryDto } from '@segmenta/contracts';
import type { Db } from '../client';
import type { Prisma } from '../generated/prisma/client';

/** Destructive and permission-changing actions, e.g. `project.delete`, `user.role`, `token.revoke`. */
export async function audit(db: Pick<Db, 'auditLog'>, actorId: string | null, action: string, target: { type: string; id?: string | null }, details: Prisma.InputJsonObject = {}): Promise<void> {
  await db.auditLog.create({ data: { actorId, action, targetType: target.type, targetId: target.id ?? null, details } });
}

export async function listAudit(db: Db, q: { limit: number; action?: string }): Promise<AuditEntryDto[]> {
  const rows = await db.auditLog.findMany({ where: q.action ? { action: { startsWith: q.action } } : {}, orderBy: { createdAt: 'desc' }, take: q.limit, include: { actor: { select: { email: true } } } });
  return rows.map((r) => ({ id: r.id, actorEmail: r.actor?.email ?? null, action: r.action, targetType: r.targetType, targetId: r.targetId, details: r.details, createdAt: r.createdAt.toISOString() }));
}
