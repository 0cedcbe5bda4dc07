import { changePasswordBodySchema, parseOrThrow } from '@segmenta/contracts';
import { audit, changePassword } from '@segmenta/db';
import { getServer } from '@/server/context';
import { readJson, route } from '@/server/http';

export const dynamic = 'force-dynamic';

/** Changes the caller's password and ends their other sessions (this one stays signed in). */
export const POST = route(async (req, { principal }) => {
  const body = parseOrThrow(changePasswordBodySchema, await readJson(req, 10_000), 'password change');
  const { db } = getServer();
  await changePassword(db, principal.userId, body.currentPassword, body.newPassword, principal.sessionId);
  await audit(db, principal.userId, 'user.password', { type: 'user', id: principal.userId });
  return new Response(null, { status: 204 });
});
