import 'server-only';
import { workerHeartbeatKey, workerHeartbeatSchema, workerRegistryKey, type HealthDto, type ServiceCheck, type WorkerHeartbeat } from '@segmenta/contracts';
import { pingDatabase } from '@segmenta/db';
import { getServer } from './context';

const TIMEOUT_MS = 2_500;

function withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} did not answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS))]);
}

async function check(fn: () => Promise<unknown>, what: string): Promise<ServiceCheck> {
  const started = performance.now();
  try {
    await withTimeout(fn(), what);
    return { ok: true, latencyMs: Math.round((performance.now() - started) * 10) / 10 };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

async function liveWorkers(): Promise<WorkerHeartbeat[]> {
  const { redis, env } = getServer();
  const ids = await redis.smembers(workerRegistryKey(env.QUEUE_PREFIX));
  if (ids.length === 0) return [];
  const raw = await redis.mget(ids.map((id) => workerHeartbeatKey(env.QUEUE_PREFIX, id)));
  const workers: WorkerHeartbeat[] = [];
  const gone: string[] = [];
  raw.forEach((value, i) => {
    const parsed = value ? workerHeartbeatSchema.safeParse(JSON.parse(value)) : null;
    if (parsed?.success) workers.push(parsed.data);
    else gone.push(ids[i]!);
  });
  // Workers that died without saying goodbye: their heartbeat expired, drop them from the registry.
  if (gone.length) await redis.srem(workerRegistryKey(env.QUEUE_PREFIX), ...gone);
  return workers;
}

/** Pings PostgreSQL and Redis, each bounded by a timeout. */
export async function probeServices(): Promise<{ database: ServiceCheck; redis: ServiceCheck }> {
  const { db, redis } = getServer();
  const [database, redisCheck] = await Promise.all([check(() => pingDatabase(db), 'PostgreSQL'), check(() => redis.ping(), 'Redis')]);
  return { database, redis: redisCheck };
}

export async function collectHealth(): Promise<HealthDto> {
  const { queues } = getServer();
  const { database, redis: redisCheck } = await probeServices();
  const queueStats: HealthDto['queues'] = {};
  let workers: WorkerHeartbeat[] = [];
  if (redisCheck.ok) {
    await Promise.all(
      Object.entries(queues).map(async ([name, q]) => {
        const c = await withTimeout(q.getJobCounts('waiting', 'active', 'delayed', 'failed'), 'Redis').catch(() => null);
        queueStats[name] = c ? { waiting: c.waiting ?? 0, active: c.active ?? 0, delayed: c.delayed ?? 0, failed: c.failed ?? 0 } : null;
      }),
    );
    workers = await withTimeout(liveWorkers(), 'Redis').catch(() => []);
  } else {
    for (const name of Object.keys(queues)) queueStats[name] = null;
  }
  const ok = database.ok && redisCheck.ok && workers.length > 0;
  return { status: ok ? 'ok' : 'degraded', database, redis: redisCheck, queues: queueStats, workers, checkedAt: new Date().toISOString() };
}
