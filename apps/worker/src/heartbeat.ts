import os from 'node:os';
import type { Redis } from 'ioredis';
import { HEARTBEAT_INTERVAL_MS, HEARTBEAT_TTL_S, workerHeartbeatKey, workerRegistryKey, type WorkerHeartbeat } from '@segmenta/contracts';
import type { Log } from './log';

/**
 * Writes this worker's heartbeat every few seconds to an expiring key; /api/health lists the workers
 * whose key still exists. A Redis outage only delays beats: they resume when it returns.
 */
export function startHeartbeat(opts: {
  redis: Redis;
  prefix: string;
  id: string;
  queues: string[];
  modelBackend: string;
  concurrency: number;
  activeJobs: () => number;
  log: Log;
}): { stop: () => Promise<void> } {
  const startedAt = new Date().toISOString();
  const beat = async () => {
    const hb: WorkerHeartbeat = {
      id: opts.id,
      hostname: os.hostname(),
      pid: process.pid,
      queues: opts.queues,
      modelBackend: opts.modelBackend,
      concurrency: opts.concurrency,
      activeJobs: opts.activeJobs(),
      startedAt,
      beatAt: new Date().toISOString(),
    };
    await opts.redis
      .multi()
      .set(workerHeartbeatKey(opts.prefix, opts.id), JSON.stringify(hb), 'EX', HEARTBEAT_TTL_S)
      .sadd(workerRegistryKey(opts.prefix), opts.id)
      .exec();
  };
  const safeBeat = () => beat().catch((err) => opts.log('warn', 'heartbeat failed', { error: (err as Error).message }));
  void safeBeat();
  const timer = setInterval(safeBeat, HEARTBEAT_INTERVAL_MS);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await forgetWorker(opts.redis, opts.prefix, opts.id).catch(() => undefined);
    },
  };
}

/** Takes a worker off the registry at once (it stopped, or its supervisor saw it die) instead of when its beat expires. */
export async function forgetWorker(redis: Redis, prefix: string, id: string): Promise<void> {
  await redis.multi().del(workerHeartbeatKey(prefix, id)).srem(workerRegistryKey(prefix), id).exec();
}
