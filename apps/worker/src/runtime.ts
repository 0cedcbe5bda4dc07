import { randomUUID } from 'node:crypto';
import { Job, UnrecoverableError, WaitingError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { z } from 'zod';
import { issuesToDetails } from '@segmenta/contracts';
import { startHeartbeat } from './heartbeat';
import type { Log } from './log';

export interface JobContext<T> {
  data: T;
  /** Aborted when the worker shuts down and the grace period is over: stop, and the job is handed back. */
  signal: AbortSignal;
  log: Log;
  /** How far the job is, the one way every job reports it (BullMQ's job progress: `{ done, total }`). */
  progress(done: number, total: number): Promise<void>;
}

export interface JobHandler<S extends z.ZodType = z.ZodType, R = unknown> {
  schema: S;
  run(ctx: JobContext<z.infer<S>>): Promise<R>;
}

/** Handlers per queue, per job name. A queue with no handlers here is not consumed by this worker. */
export type HandlerRegistry = Record<string, Record<string, JobHandler>>;

export interface RuntimeOptions {
  connection: Redis;
  prefix: string;
  handlers: HandlerRegistry;
  concurrency: number;
  modelBackend: string;
  log: Log;
  id?: string;
  /** Lock lifetime (ms); stalled jobs of a dead worker are re-queued after about this long. */
  lockMs?: number;
  /** Stalls (a worker dying with the job) a job survives; one more and BullMQ fails it. Default 2. */
  maxStalledCount?: number;
}

export interface WorkerRuntime {
  id: string;
  /** Stops taking jobs, waits `graceMs` for running ones, then aborts them and hands them back. */
  stop(graceMs: number): Promise<void>;
}

export function defineHandler<S extends z.ZodType, R>(schema: S, run: (ctx: JobContext<z.infer<S>>) => Promise<R>): JobHandler<S, R> {
  return { schema, run };
}

export function startWorkerRuntime(opts: RuntimeOptions): WorkerRuntime {
  const id = opts.id ?? `${process.pid}-${randomUUID().slice(0, 8)}`;
  let shuttingDown = false;
  let active = 0;

  const workers = Object.entries(opts.handlers).map(([queue, byName]) => {
    const processor = async (job: Job, token?: string, signal?: AbortSignal) => {
      const handler = byName[job.name];
      if (!handler) throw new UnrecoverableError(`no handler for job "${job.name}" on queue "${queue}"`);
      const parsed = handler.schema.safeParse(job.data);
      if (!parsed.success) {
        const details = issuesToDetails(parsed.error.issues, 'data').map((d) => `${d.path}: ${d.message}`);
        throw new UnrecoverableError(`invalid ${queue}/${job.name} payload: ${details.join('; ')}`);
      }
      const controller = new AbortController();
      signal?.addEventListener('abort', () => controller.abort(signal.reason), { once: true });
      active++;
      const log: Log = (level, msg, fields) => opts.log(level, msg, { queue, job: job.name, jobId: job.id, ...fields });
      try {
        log('info', 'job started', { attempt: job.attemptsMade + 1 });
        const progress = (done: number, total: number) => job.updateProgress({ done, total });
        const result = await handler.run({ data: parsed.data, signal: controller.signal, log, progress });
        log('info', 'job finished');
        return result;
      } catch (err) {
        if (shuttingDown && controller.signal.aborted) {
          // Hand the job back untouched by the retry count: the next worker starts it again.
          await job.moveToWait(token);
          log('warn', 'job handed back to the queue on shutdown');
          throw new WaitingError();
        }
        log('error', 'job failed', { error: (err as Error).message });
        throw err;
      } finally {
        active--;
      }
    };
    const worker = new Worker(queue, processor, {
      connection: opts.connection,
      prefix: opts.prefix,
      concurrency: opts.concurrency,
      // Long jobs renew their lock; a crashed worker's job is re-queued as "stalled" once it expires.
      lockDuration: opts.lockMs ?? 60_000,
      stalledInterval: Math.round((opts.lockMs ?? 60_000) / 2),
      maxStalledCount: opts.maxStalledCount ?? 2,
    });
    worker.on('error', (err) => opts.log('warn', 'queue connection problem', { queue, error: err.message }));
    return worker;
  });

  const heartbeat = startHeartbeat({
    redis: opts.connection,
    prefix: opts.prefix,
    id,
    queues: Object.keys(opts.handlers),
    modelBackend: opts.modelBackend,
    concurrency: opts.concurrency,
    activeJobs: () => active,
    log: opts.log,
  });
  opts.log('info', 'worker started', { id, queues: Object.keys(opts.handlers), concurrency: opts.concurrency, modelBackend: opts.modelBackend });

  return {
    id,
    async stop(graceMs: number) {
      shuttingDown = true;
      const timer = setTimeout(() => {
        opts.log('warn', 'grace period over: aborting running jobs', { active });
        for (const w of workers) w.cancelAllJobs('worker shutting down');
      }, graceMs);
      try {
        await Promise.all(workers.map((w) => w.close()));
      } finally {
        clearTimeout(timer);
        await heartbeat.stop();
      }
      opts.log('info', 'worker stopped', { id });
    },
  };
}
