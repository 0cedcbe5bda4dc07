import 'server-only';
import { AppError } from '@segmenta/contracts';
import { getServer } from '../context';

const WINDOW_S = 15 * 60;
const MAX_PER_EMAIL = 5;
const MAX_PER_ADDRESS = 30;

const emailKey = (email: string) => `${getServer().env.QUEUE_PREFIX}:signin:email:${email}`;
const addressKey = (address: string) => `${getServer().env.QUEUE_PREFIX}:signin:ip:${address}`;
const keys = (email: string, address: string) => [emailKey(email), addressKey(address)] as const;

/** Refuses sign-in while an email or an address has failed too often in the window (429 + Retry-After). */
export async function checkSignInThrottle(email: string, address: string): Promise<void> {
  const { redis } = getServer();
  const [ek, ak] = keys(email, address);
  const [e, a] = await redis.mget(ek, ak);
  if (Number(e ?? 0) >= MAX_PER_EMAIL || Number(a ?? 0) >= MAX_PER_ADDRESS) {
    const ttl = Math.max(await redis.ttl(Number(e ?? 0) >= MAX_PER_EMAIL ? ek : ak), 1);
    throw new AppError('rate_limited', `Too many failed sign-ins; try again in ${Math.ceil(ttl / 60)} minute(s)`, [{ path: 'email', message: 'temporarily locked' }], ttl);
  }
}

export async function recordSignInFailure(email: string, address: string): Promise<void> {
  const { redis } = getServer();
  const multi = redis.multi();
  for (const k of keys(email, address)) multi.incr(k).expire(k, WINDOW_S, 'NX');
  await multi.exec();
}

export async function clearSignInFailures(email: string): Promise<void> {
  await getServer().redis.del(emailKey(email));
}
