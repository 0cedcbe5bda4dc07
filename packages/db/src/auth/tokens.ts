import { AppError, type ApiTokenDto, type CreatedTokenDto } from '@segmenta/contracts';
import type { Db } from '../client';
import type { Principal } from './sessions';
import { newSecret, sha256 } from './secrets';

type TokenRow = { id: string; name: string; prefix: string; createdAt: Date; lastUsedAt: Date | null; expiresAt: Date | null; revokedAt: Date | null };
const iso = (d: Date | null) => d?.toISOString() ?? null;
const tokenDto = (t: TokenRow): ApiTokenDto => ({ id: t.id, name: t.name, prefix: t.prefix, createdAt: t.createdAt.toISOString(), lastUsedAt: iso(t.lastUsedAt), expiresAt: iso(t.expiresAt), revokedAt: iso(t.revokedAt) });

/** `sgt_` marks our tokens so secret scanners and people can recognise a leaked one. */
export async function createApiToken(db: Db, userId: string, name: string, expiresInDays?: number, secret = `sgt_${newSecret()}`): Promise<CreatedTokenDto> {
  const row = await db.apiToken.create({
    data: { userId, name, prefix: secret.slice(0, 10), tokenHash: sha256(secret), expiresAt: expiresInDays ? new Date(Date.now() + expiresInDays * 86_400_000) : null },
  });
  return { ...tokenDto(row), token: secret };
}

export async function listApiTokens(db: Db, userId: string): Promise<ApiTokenDto[]> {
  return (await db.apiToken.findMany({ where: { userId }, orderBy: { createdAt: 'desc' } })).map(tokenDto);
}

export async function revokeApiToken(db: Db, userId: string, tokenId: string): Promise<ApiTokenDto> {
  const token = await db.apiToken.findFirst({ where: { id: tokenId, userId } });
  if (!token) throw new AppError('not_found', `You have no API token ${tokenId}`);
  return tokenDto(await db.apiToken.update({ where: { id: tokenId }, data: { revokedAt: token.revokedAt ?? new Date() } }));
}

export async function principalFromToken(db: Db, secret: string): Promise<Principal | null> {
  const token = await db.apiToken.findUnique({ where: { tokenHash: sha256(secret) }, include: { user: { select: { id: true, email: true, role: true, disabledAt: true } } } });
  if (!token || token.revokedAt || (token.expiresAt && token.expiresAt <= new Date()) || token.user.disabledAt) return null;
  if (!token.lastUsedAt || Date.now() - token.lastUsedAt.getTime() > 10_000) await db.apiToken.update({ where: { id: token.id }, data: { lastUsedAt: new Date() } });
  return { userId: token.user.id, email: token.user.email, role: token.user.role, via: 'token', tokenId: token.id };
}

/** The environment's bootstrap token for the admin: created once, recognised by its hash afterwards. */
export async function ensureApiToken(db: Db, userId: string, secret: string): Promise<void> {
  const found = await db.apiToken.findUnique({ where: { tokenHash: sha256(secret) }, select: { id: true } });
  if (!found) await createApiToken(db, userId, 'bootstrap (SEGMENTA_ADMIN_TOKEN)', undefined, secret).catch(async (err) => {
    if (!(await db.apiToken.findUnique({ where: { tokenHash: sha256(secret) } }))) throw err;
  });
}
