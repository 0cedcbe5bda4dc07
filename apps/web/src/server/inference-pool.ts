import 'server-only';
import { Worker } from 'node:worker_threads';
import { AppError } from '@segmenta/contracts';
import { BoundedPool } from './bounded-pool';
import { getServer } from './context';
import type { InferenceReply, InferenceTask, InferenceWorkerData } from './inference-protocol';

// Why worker threads and not a limiter on the main thread: tfjs-wasm runs a whole forward pass
// synchronously, and decoding, mask pasting and RLE encoding are JS loops too, so a prediction holds
// the event loop for hundreds of milliseconds to seconds. A FIFO limiter could only yield *between*
// predictions, and every other request (health checks, the gallery, the editor's saves) would wait
// behind each one. In a worker thread the model runs beside the server: requests keep being served,
// and the bounded pool (INFERENCE_CONCURRENCY threads, INFERENCE_QUEUE_MAX waiting) keeps memory
// and latency bounded, answering 503 + Retry-After beyond that.
//
// Turbopack bundles `new Worker(new URL('./file.ts', import.meta.url))` as its own server entry
// (Next ≥ 16.2), workspace sources and externals included, so the thread runs the same code as the
// route. Threads start on first use and are replaced when one dies; each holds its own models, so
// memory grows with INFERENCE_CONCURRENCY.

type Settled = Extract<InferenceReply, { ok: true }>;

class InferenceThread {
  private worker: Worker | null = null;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (r: Settled) => void; reject: (e: unknown) => void }>();

  constructor(private readonly data: InferenceWorkerData) {}

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('./inference-worker.ts', import.meta.url), { workerData: this.data });
    // An idle inference thread must not keep a stopping server alive.
    worker.unref();
    worker.on('message', (reply: InferenceReply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if (reply.ok) p.resolve(reply);
      else if (reply.kind === 'image') p.reject(new AppError('validation_failed', `Invalid request: image: ${reply.message}`, [{ path: 'image', message: reply.message }]));
      else if (reply.kind === 'model') p.reject(new AppError('internal', `The checkpoint could not be loaded: ${reply.message}`));
      else p.reject(new Error(`inference thread: ${reply.message}`));
    });
    const fail = (err: Error) => {
      if (this.worker !== worker) return;
      this.worker = null;
      for (const p of this.pending.values()) p.reject(new Error(`the inference thread stopped: ${err.message}`));
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`exit code ${code}`)));
    this.worker = worker;
    return worker;
  }

  run(task: InferenceTask): Promise<Settled> {
    const worker = this.ensure();
    const id = this.nextId++;
    return new Promise<Settled>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, task }, [task.bytes]);
    });
  }
}

export type InferencePool = BoundedPool<InferenceTask, Settled>;

const globalRef = globalThis as unknown as { __segmentaInference?: InferencePool };

/** The process-wide pool, sized from INFERENCE_CONCURRENCY and INFERENCE_QUEUE_MAX. */
export function getInferencePool(): InferencePool {
  if (globalRef.__segmentaInference) return globalRef.__segmentaInference;
  const { env } = getServer();
  const threads = Array.from({ length: env.INFERENCE_CONCURRENCY }, () => new InferenceThread({ backend: env.MODEL_BACKEND }));
  globalRef.__segmentaInference = new BoundedPool({
    concurrency: env.INFERENCE_CONCURRENCY,
    maxQueue: env.INFERENCE_QUEUE_MAX,
    run: (task, slot) => threads[slot]!.run(task),
  });
  return globalRef.__segmentaInference;
}
