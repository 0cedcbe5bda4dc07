import 'server-only';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { loadServerEnv, queueNames, type QueueName, type ServerEnv } from '@segmenta/contracts';
import { createDb, LocalBlobStore, type Db } from '@segmenta/db';

export interface ServerContext {
  env: ServerEnv;
  db: Db;
  redis: Redis;
  store: LocalBlobStore;
  queues: Record<QueueName, Queue>;
}

// One set of connections per server process; Next's dev mode re-evaluates modules, so keep it global.
const globalRef = globalThis as unknown as { __segmenta?: ServerContext };

export function getServer(): ServerContext {
  if (globalRef.__segmenta) return globalRef.__segmenta;
  const env = loadServerEnv();
  const db = createDb(env.DATABASE_URL);
  // Requests must fail fast (503) when Redis is down instead of queueing commands forever.
  const redis = new Redis(env.REDIS_URL, {
    lazyConnect: true,
    connectTimeout: 2_000,
    commandTimeout: 3_000,
    maxRetriesPerRequest: 1,
    retryStrategy: (n) => Math.min(500 * 2 ** n, 5_000),
  });
  redis.on('error', () => undefined); // surfaced through /api/health and failing requests
  const queues = Object.fromEntries(
    queueNames.map((name) => [name, new Queue(name, { connection: redis, prefix: env.QUEUE_PREFIX })]),
  ) as Record<QueueName, Queue>;
  globalRef.__segmenta = { env, db, redis, store: new LocalBlobStore(env.DATA_DIR), queues };
  return globalRef.__segmenta;
}
