// A fixed number of slots and a bounded FIFO queue in front of them. It knows nothing of models or
// threads (inference-pool.ts gives each slot a worker thread), so its admission rules can be tested
// with plain promises. No 'server-only' import for the same reason.

/** The queue is full: the caller should answer 503 and ask the client to come back after `retryAfterS`. */
export class QueueFullError extends Error {
  override readonly name = 'QueueFullError';
  constructor(
    readonly retryAfterS: number,
    readonly running: number,
    readonly queued: number,
  ) {
    super(`The prediction queue is full (${running} running, ${queued} waiting, no more may wait); retry in about ${retryAfterS} s`);
  }
}

/** The caller gave up (client disconnected) while the task still waited for a slot. */
export class TaskAbortedError extends Error {
  override readonly name = 'TaskAbortedError';
}

export interface BoundedPoolOptions<T, R> {
  /** Tasks that run at once; slot numbers handed to `run` are 0 … concurrency − 1. */
  concurrency: number;
  /** Tasks that may wait for a slot; one more is refused with QueueFullError. */
  maxQueue: number;
  run: (task: T, slot: number) => Promise<R>;
  /** A first guess of one task's duration, for Retry-After before anything has been measured. */
  initialTaskMs?: number;
}

interface Waiting<T, R> {
  task: T;
  resolve: (r: R) => void;
  reject: (e: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

export class BoundedPool<T, R> {
  private readonly free: number[];
  private readonly queue: Waiting<T, R>[] = [];
  /** Exponential moving average of task durations, for Retry-After. */
  private avgMs: number;

  constructor(private readonly opts: BoundedPoolOptions<T, R>) {
    if (!Number.isInteger(opts.concurrency) || opts.concurrency < 1) throw new RangeError(`concurrency must be a positive integer, got ${opts.concurrency}`);
    if (!Number.isInteger(opts.maxQueue) || opts.maxQueue < 0) throw new RangeError(`maxQueue must be a non-negative integer, got ${opts.maxQueue}`);
    this.free = Array.from({ length: opts.concurrency }, (_, i) => i);
    this.avgMs = opts.initialTaskMs ?? 2_000;
  }

  get running(): number {
    return this.opts.concurrency - this.free.length;
  }

  get queued(): number {
    return this.queue.length;
  }

  /** Seconds until a newly queued task would likely start: the work ahead of it spread over the slots. */
  retryAfterS(): number {
    const ahead = this.running + this.queue.length;
    return Math.min(120, Math.max(1, Math.ceil((ahead * this.avgMs) / this.opts.concurrency / 1000)));
  }

  /**
   * Runs `task` in a free slot, or queues it; rejects at once with QueueFullError when the queue is
   * full, and with TaskAbortedError when `signal` aborts before the task has started.
   */
  submit(task: T, signal?: AbortSignal): Promise<R> {
    if (signal?.aborted) return Promise.reject(new TaskAbortedError('the request was aborted before it was queued'));
    const slot = this.free.shift();
    if (slot !== undefined) return this.start(task, slot);
    if (this.queue.length >= this.opts.maxQueue) return Promise.reject(new QueueFullError(this.retryAfterS(), this.running, this.queue.length));
    return new Promise<R>((resolve, reject) => {
      const entry: Waiting<T, R> = { task, resolve, reject, signal };
      if (signal) {
        entry.onAbort = () => {
          const i = this.queue.indexOf(entry);
          if (i >= 0) this.queue.splice(i, 1);
          reject(new TaskAbortedError('the request was aborted while it waited for a free slot'));
        };
        signal.addEventListener('abort', entry.onAbort, { once: true });
      }
      this.queue.push(entry);
    });
  }

  private start(task: T, slot: number): Promise<R> {
    const t0 = performance.now();
    let result: Promise<R>;
    try {
      result = this.opts.run(task, slot);
    } catch (err) {
      result = Promise.reject(err);
    }
    return result.finally(() => {
      this.avgMs = 0.8 * this.avgMs + 0.2 * (performance.now() - t0);
      this.release(slot);
    });
  }

  /** Hands the slot to the oldest waiting task, or marks it free. */
  private release(slot: number): void {
    const next = this.queue.shift();
    if (!next) {
      this.free.push(slot);
      return;
    }
    if (next.onAbort) next.signal!.removeEventListener('abort', next.onAbort);
    this.start(next.task, slot).then(next.resolve, next.reject);
  }
}
