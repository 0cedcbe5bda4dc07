import 'server-only';
import { AppError, SESSION_COOKIE } from '@segmenta/contracts';
import { principalFromSession, principalFromToken, type Principal } from '@segmenta/db';
import { getServer } from '../context';
import { ensureBootstrap } from './bootstrap';

/** The token of an `Authorization: Bearer <token>` header, or null when the header has another form. */
export function bearerToken(authorization: string): string | null {
  return /^Bearer\s+(\S+)$/i.exec(authorization)?.[1] ?? null;
}

export function readCookie(header: string | null, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return null;
}

/**
 * Who is asking: an API token (`Authorization: Bearer`) or a session cookie. Token requests need no
 * CSRF defence (a browser never adds that header by itself); cookie requests that change state
 * must come from our own origin.
 */
export async function authenticate(req: Request): Promise<Principal> {
  await ensureBootstrap();
  const { db } = getServer();
  const authz = req.headers.get('authorization');
  if (authz) {
    const token = bearerToken(authz);
    if (!token) throw new AppError('unauthorized', 'Authorization header must be "Bearer <token>"');
    const principal = await principalFromToken(db, token);
    if (!principal) throw new AppError('unauthorized', 'The API token is unknown, expired or revoked');
    return principal;
  }
  const cookie = readCookie(req.headers.get('cookie'), SESSION_COOKIE);
  if (!cookie) throw new AppError('unauthorized', 'Sign in first, or send an API token as "Authorization: Bearer <token>"');
  const principal = await principalFromSession(db, cookie);
  if (!principal) throw new AppError('unauthorized', 'Your session has expired or was ended; sign in again');
  if (!['GET', 'HEAD', 'OPTIONS'].includes(req.method)) checkSameOrigin(req);
  return principal;
}

/** CSRF: a state-changing request carrying our cookie must say it comes from our own pages. */
function checkSameOrigin(req: Request): void {
  const site = req.headers.get('sec-fetch-site');
  if (site === 'same-origin') return;
  const origin = req.headers.get('origin');
  const host = req.headers.get('x-forwarded-host') ?? req.headers.get('host');
  if (origin && host && new URL(origin).host === host) return;
  throw new AppError('forbidden', 'Cross-site request refused: a signed-in browser may change data only from Segmenta\'s own pages');
}

export function sessionCookie(token: string, expiresAt: Date, req: Request): string {
  const secure = new URL(req.url).protocol === 'https:' || req.headers.get('x-forwarded-proto') === 'https';
  return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax; Expires=${expiresAt.toUTCString()}${secure ? '; Secure' : ''}`;
}

export const clearedSessionCookie = `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`;
