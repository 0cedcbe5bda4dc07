import 'server-only';
import { cache } from 'react';
import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { SESSION_COOKIE } from '@segmenta/contracts';
import { principalFromSession, principalFromToken, type Principal } from '@segmenta/db';
import { getServer } from '../context';
import { ensureBootstrap } from './bootstrap';
import { bearerToken } from './principal';

/**
 * The signed-in user of a page request (session cookie, or a token for scripted browsers), or null.
 * Cached per request (React `cache`): the layout and every loader of a page ask for it.
 */
export const currentPrincipal = cache(async (): Promise<Principal | null> => {
  await ensureBootstrap();
  const { db } = getServer();
  const authz = (await headers()).get('authorization');
  const bearer = authz && bearerToken(authz);
  if (bearer) return principalFromToken(db, bearer);
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  return token ? principalFromSession(db, token) : null;
});

/** As currentPrincipal, sending anyone not signed in to the sign-in page. */
export async function pagePrincipal(): Promise<Principal> {
  const principal = await currentPrincipal();
  if (!principal) redirect('/sign-in');
  return principal;
}
