import { describe, expect, it } from 'vitest';
import { BoundedPool, QueueFullError, TaskAbortedError } from '../src/server/bounded-pool';

// The admission rules of the prediction pool, with tasks the test finishes by hand (the threads and the
// model are exercised through the API in predict-load.test.ts). Lives with the e2e files because this
// package's vitest config collects only those.

function controlled() {
  const started: string[] = [];
  const finish = new Map<string, { resolve: (v: string) => void; reject: (e: Error) => void }>();
  const run = (task: string, slot: number) =>
    new Promise<string>((resolve, reject) => {
      started.push(`${task}@${slot}`);
      finish.set(task, { resolve: (v) => resolve(v), reject });
    });
  return { started, finish, run };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('BoundedPool', () => {
  it('runs up to `concurrency` tasks, queues up to `maxQueue` in FIFO order and refuses the next with QueueFullError', async () => {
    const c = controlled();
    const pool = new BoundedPool({ concurrency: 2, maxQueue: 2, run: c.run, initialTaskMs: 3_000 });
    const results = ['a', 'b', 'c', 'd'].map((t) => pool.submit(t));
    expect(c.started).toEqual(['a@0', 'b@1']);
    expect([pool.running, pool.queued]).toEqual([2, 2]);

    const refused = await pool.submit('e').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(QueueFullError);
    const full = refused as QueueFullError;
    // Four tasks ahead at ≈3 s each over two slots.
    expect(full.retryAfterS).toBe(6);
    expect(full.message).toBe('The prediction queue is full (2 running, 2 waiting, no more may wait); retry in about 6 s');

    c.finish.get('b')!.resolve('B');
    await tick();
    expect(c.started).toEqual(['a@0', 'b@1', 'c@1']);
    c.finish.get('a')!.resolve('A');
    await tick();
    expect(c.started).toEqual(['a@0', 'b@1', 'c@1', 'd@0']);
    c.finish.get('c')!.resolve('C');
    c.finish.get('d')!.resolve('D');
    expect(await Promise.all(results)).toEqual(['A', 'B', 'C', 'D']);
    expect([pool.running, pool.queued]).toEqual([0, 0]);
  });

  it('with maxQueue 0 refuses whatever finds every slot busy', async () => {
    const c = controlled();
    const pool = new BoundedPool({ concurrency: 1, maxQueue: 0, run: c.run });
    const first = pool.submit('a');
    await expect(pool.submit('b')).rejects.toBeInstanceOf(QueueFullError);
    c.finish.get('a')!.resolve('A');
    expect(await first).toBe('A');
    const again = pool.submit('c');
    c.finish.get('c')!.resolve('C');
    expect(await again).toBe('C');
  });

  it('frees the slot of a failed task and drops a queued task whose caller aborted', async () => {
    const c = controlled();
    const pool = new BoundedPool({ concurrency: 1, maxQueue: 3, run: c.run });
    const failing = pool.submit('a');
    const abort = new AbortController();
    const abandoned = pool.submit('b', abort.signal);
    const kept = pool.submit('c');
    abort.abort();
    await expect(abandoned).rejects.toBeInstanceOf(TaskAbortedError);
    expect(pool.queued).toBe(1);
    c.finish.get('a')!.reject(new Error('model broke'));
    await expect(failing).rejects.toThrow('model broke');
    await tick();
    expect(c.started).toEqual(['a@0', 'c@0']);
    c.finish.get('c')!.resolve('C');
    expect(await kept).toBe('C');
    await expect(pool.submit('d', AbortSignal.abort())).rejects.toBeInstanceOf(TaskAbortedError);
  });

  it('rejects nonsensical sizes', () => {
    expect(() => new BoundedPool({ concurrency: 0, maxQueue: 1, run: async () => 1 })).toThrow(/concurrency/);
    expect(() => new BoundedPool({ concurrency: 1, maxQueue: -1, run: async () => 1 })).toThrow(/maxQueue/);
  });
});
