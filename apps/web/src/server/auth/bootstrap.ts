import 'server-only';
import { ensureAdmin, ensureApiToken } from '@segmenta/db';
import { getServer } from '../context';

let done: Promise<void> | null = null;

/**
 * The first admin (and their scripting token) from SEGMENTA_ADMIN_*: created at start, or on the
 * first request if the database was not reachable then.
 */
export function ensureBootstrap(): Promise<void> {
  done ??= (async () => {
    const { db, env } = getServer();
    // An email alone creates nothing: the account needs a password to sign in or a token to be used.
    if (!env.SEGMENTA_ADMIN_EMAIL || (!env.SEGMENTA_ADMIN_PASSWORD && !env.SEGMENTA_ADMIN_TOKEN)) return;
    const { userId, created } = await ensureAdmin(db, env.SEGMENTA_ADMIN_EMAIL.toLowerCase(), env.SEGMENTA_ADMIN_PASSWORD ?? cryptoRandom());
    if (created) console.log(`[segmenta] created admin ${env.SEGMENTA_ADMIN_EMAIL}`);
    if (env.SEGMENTA_ADMIN_TOKEN) await ensureApiToken(db, userId, env.SEGMENTA_ADMIN_TOKEN);
  })().catch((err: unknown) => {
    done = null; // try again on the next request
    console.warn(`[segmenta] admin bootstrap postponed: ${(err as Error).message.split('\n')[0]}`);
  });
  return done;
}

const cryptoRandom = () => crypto.randomUUID() + crypto.randomUUID();
