import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { AugmentRunner, AugmentStep } from './augment';
import type { AugmentRequest } from './augment-thread';
import type { TrainingSample } from './data';

// Augmentation on worker threads (Node only). A training step is synchronous wasm that holds the main
// thread, so augmentation done there — even for a prefetched batch — runs between steps; on a thread
// it overlaps the step. Results are identical to the main thread's: same code, same seeded draws.

export interface AugmentPool {
  run: AugmentRunner;
  /** Stops the threads; pending requests fail. */
  close(): Promise<void>;
}

interface Slot {
  worker: Worker | null;
  pending: Map<number, { resolve: (s: TrainingSample) => void; reject: (e: Error) => void }>;
}

export function createAugmentPool(options: { threads?: number } = {}): AugmentPool {
  const threads = Math.max(1, Math.floor(options.threads ?? 1));
  let nextId = 0;
  let closed = false;
  // A path built at run time rather than `new Worker(new URL(…, import.meta.url))`: bundlers (Turbopack in
  // the web app, which imports this package for inference) would otherwise bundle the thread entry.
  const entry = path.join(path.dirname(fileURLToPath(import.meta.url)), 'augment-thread.mjs');
  const slots: Slot[] = Array.from({ length: threads }, () => ({ worker: null, pending: new Map() }));

  /** Starts a slot's thread; one that died is replaced on the next request (its own requests fail). */
  function start(slot: Slot): Worker {
    const worker = new Worker(entry);
    slot.worker = worker;
    // Idle threads must not keep the process alive; busy ones must, or an await on them could end it.
    worker.unref();
    const fail = (err: Error) => {
      if (slot.worker !== worker) return;
      slot.worker = null;
      for (const p of slot.pending.values()) p.reject(err);
      slot.pending.clear();
    };
    worker.on('message', (m: { id: number; sample?: TrainingSample; error?: string }) => {
      const p = slot.pending.get(m.id);
      if (!p) return;
      slot.pending.delete(m.id);
      if (slot.pending.size === 0) worker.unref();
      if (m.error !== undefined || !m.sample) p.reject(new Error(`augmentation failed: ${m.error}`));
      else p.resolve(m.sample);
    });
    worker.on('error', (err) => fail(new Error(`augmentation thread crashed: ${err.message}`, { cause: err })));
    worker.on('exit', (code) => fail(new Error(`augmentation thread exited (code ${code})`)));
    return worker;
  }
  // Start now: loading the pipeline in a thread takes about a second, which then overlaps the caller's set-up.
  slots.forEach(start);

  const run: AugmentRunner = (sample: TrainingSample, steps: readonly AugmentStep[], seed: number) => {
    if (closed) return Promise.reject(new Error('the augmentation pool is closed'));
    const slot = slots.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const worker = slot.worker ?? start(slot);
    const id = nextId++;
    return new Promise<TrainingSample>((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      if (slot.pending.size === 1) worker.ref();
      const req: AugmentRequest = { id, sample, steps, seed };
      worker.postMessage(req);
    });
  };

  return {
    run,
    async close() {
      closed = true;
      await Promise.all(slots.map((s) => s.worker?.terminate()));
    },
  };
}
