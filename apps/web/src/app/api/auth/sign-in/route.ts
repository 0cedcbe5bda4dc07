import { NextResponse } from 'next/server';
import { AppError, parseOrThrow, signInBodySchema } from '@segmenta/contracts';
import { audit, checkCredentials, createSession, describeMe } from '@segmenta/db';
import { checkSignInThrottle, clearSignInFailures, ensureBootstrap, recordSignInFailure, sessionCookie } from '@/server/auth';
import { getServer } from '@/server/context';
import { publicRoute, readJson } from '@/server/http';

export const dynamic = 'force-dynamic';

/** Email + password → an httpOnly session cookie. Failures are throttled per email and per address. */
export const POST = publicRoute(async (req) => {
  const { email, password } = parseOrThrow(signInBodySchema, await readJson(req, 10_000), 'sign-in');
  const address = req.headers.get('x-forwarded-for')?.split(',')[0]?.trim() || req.headers.get('x-real-ip') || 'local';
  await checkSignInThrottle(email, address);
  await ensureBootstrap();
  const { db, env } = getServer();
  const user = await checkCredentials(db, email, password);
  if (!user) {
    await recordSignInFailure(email, address);
    throw new AppError('unauthorized', 'Wrong email or password');
  }
  await clearSignInFailures(email);
  const session = await createSession(db, user.id, env.SESSION_TTL_HOURS, req.headers.get('user-agent'));
  await audit(db, user.id, 'session.create', { type: 'user', id: user.id });
  return NextResponse.json(await describeMe(db, user.id, 'session'), { headers: { 'set-cookie': sessionCookie(session.token, session.expiresAt, req) } });
});
