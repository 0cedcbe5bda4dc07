import { NextResponse } from 'next/server';
import { parseOrThrow, updateUserBodySchema, userIdParamSchema } from '@segmenta/contracts';
import { audit, updateUser } from '@segmenta/db';
import { requireGlobalRole } from '@/server/auth';
import { getServer } from '@/server/context';
import { readJson, route } from '@/server/http';

export const dynamic = 'force-dynamic';

/** Role, name, disabling (ends their sessions and tokens) or a password reset; admins only. */
export const PATCH = route<{ userId: string }>(async (req, { params, principal }) => {
  requireGlobalRole(principal, 'admin');
  const { userId } = parseOrThrow(userIdParamSchema, await params, 'path');
  const body = parseOrThrow(updateUserBodySchema, await readJson(req, 10_000), 'user update');
  const { db } = getServer();
  const user = await updateUser(db, userId, body);
  const { password, ...changed } = body;
  await audit(db, principal.userId, 'user.update', { type: 'user', id: userId }, { ...changed, ...(password ? { passwordReset: true } : {}) });
  return NextResponse.json(user);
});
