import { Redis } from 'ioredis';
import { pingDatabase, type Db } from '@segmenta/db';
import { redactUrl } from '@segmenta/contracts';
import type { Log } from './log';

/** BullMQ needs `maxRetriesPerRequest: null` so blocking commands survive reconnects. */
export function connectRedis(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: true, retryStrategy: (n) => Math.min(500 * 2 ** n, 10_000) });
}

export function describeDatabaseDown(url: string, err: unknown): string {
  return `PostgreSQL is unreachable at ${redactUrl(url)} (${(err as Error).message}). Start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start — or set DATABASE_URL.`;
}

export function describeRedisDown(url: string, err: unknown): string {
  return `Redis is unreachable at ${redactUrl(url)} (${(err as Error).message}). Start it with: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no — or set REDIS_URL.`;
}

/** PING that gives up after `ms` (a reconnecting ioredis would otherwise queue it until Redis returns). */
async function pingRedis(redis: Redis, ms: number): Promise<void> {
  let lastError = '';
  const onError = (err: Error) => (lastError = err.message);
  redis.on('error', onError);
  try {
    await Promise.race([
      redis.ping(),
      new Promise((_, reject) => setTimeout(() => reject(new Error(lastError || `no answer within ${ms} ms`)), ms)),
    ]);
  } finally {
    redis.off('error', onError);
  }
}

/**
 * Waits for PostgreSQL and Redis with exponential backoff (capped), logging each failure with what was
 * tried and how to fix it. Resolves once both answer; rejects after `deadlineMs` if given.
 */
export async function waitForServices(
  opts: { db: Db; dbUrl: string; redis: Redis; redisUrl: string; log: Log; deadlineMs?: number; signal?: AbortSignal },
): Promise<void> {
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    const problems: string[] = [];
    await pingDatabase(opts.db).catch((err) => problems.push(describeDatabaseDown(opts.dbUrl, err)));
    await pingRedis(opts.redis, 3_000).catch((err) => problems.push(describeRedisDown(opts.redisUrl, err)));
    if (problems.length === 0) return;
    for (const p of problems) opts.log('warn', p, { attempt });
    if (opts.deadlineMs !== undefined && Date.now() - started > opts.deadlineMs) throw new Error(problems.join('\n'));
    if (opts.signal?.aborted) throw new Error('aborted while waiting for services');
    await new Promise((r) => setTimeout(r, Math.min(500 * 2 ** attempt, 10_000)));
  }
}
