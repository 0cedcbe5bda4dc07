import { randomUUID } from 'node:crypto';
import { loadServerEnv } from '@segmenta/contracts';

/** Integration tests use the test database and a queue prefix of their own, so runs never collide. */
export function testEnv() {
  const env = loadServerEnv();
  if (!/_test$/.test(new URL(env.DATABASE_URL).pathname)) {
    throw new Error('refusing to run against a non-test database: run the tests through `npm test`');
  }
  return { ...env, QUEUE_PREFIX: `${env.QUEUE_PREFIX}-${randomUUID().slice(0, 8)}` };
}

export async function until<T>(fn: () => Promise<T | undefined | false>, what: string, timeoutMs = 20_000): Promise<T> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}
