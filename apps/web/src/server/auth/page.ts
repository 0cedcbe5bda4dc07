import 'server-only';
import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { SESSION_COOKIE } from '@segmenta/contracts';
import { principalFromSession, principalFromToken, type Principal } from '@segmenta/db';
import { getServer } from '../context';
import { ensureBootstrap } from './bootstrap';

/** The signed-in user of a page request (session cookie, or a token for scripted browsers), or null. */
export async function currentPrincipal(): Promise<Principal | null> {
  await ensureBootstrap();
  const { db } = getServer();
  const authz = (await headers()).get('authorization');
  const bearer = authz && /^Bearer\s+(\S+)$/i.exec(authz)?.[1];
  if (bearer) return principalFromToken(db, bearer);
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  return token ? principalFromSession(db, token) : null;
}

/** As currentPrincipal, sending anyone not signed in to the sign-in page. */
export async function pagePrincipal(): Promise<Principal> {
  const principal = await currentPrincipal();
  if (!principal) redirect('/sign-in');
  return principal;
}
