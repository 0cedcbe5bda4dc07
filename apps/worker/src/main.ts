// The worker process: `npm run start -w @segmenta/worker` (the root `npm start` runs it for you).
import { Queue } from 'bullmq';
import { EnvError, loadServerEnv, QUEUES } from '@segmenta/contracts';
import { createDb, LocalBlobStore } from '@segmenta/db';
import { machineThreads, registerAllGradients, registerWasmTrainingKernels, selectBackend } from '@segmenta/maskrcnn';
import { defaultHandlers } from './handlers';
import { jsonLog } from './log';
import { startRunWatchdog } from './run-watchdog';
import { startWorkerRuntime, type WorkerRuntime } from './runtime';
import { connectRedis, waitForServices } from './services';

const log = jsonLog('worker');

let env;
try {
  env = loadServerEnv();
} catch (err) {
  console.error(err instanceof EnvError ? err.message : err);
  process.exit(2);
}

const db = createDb(env.DATABASE_URL, { poolSize: env.WORKER_CONCURRENCY + 2 });
const redis = connectRedis(env.REDIS_URL);
redis.on('error', () => undefined); // reported by waitForServices and the BullMQ workers
const store = new LocalBlobStore(env.DATA_DIR);

// Signals are handled from the start: a SIGTERM while waiting for services or loading the backend
// must exit cleanly too, not kill the process mid-way with Node's default action.
const started: { runtime?: WorkerRuntime; watchdog?: { stop: () => Promise<void> } } = {};
let stopping = false;
for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.on(sig, () => {
    if (stopping) return;
    stopping = true;
    log('info', `${sig} received: finishing running jobs`, { graceSeconds: env.WORKER_SHUTDOWN_GRACE_S });
    (started.runtime?.stop(env.WORKER_SHUTDOWN_GRACE_S * 1000) ?? Promise.resolve())
      .then(async () => {
        await started.watchdog?.stop();
        await db.$disconnect();
        redis.disconnect();
        process.exit(0);
      })
      .catch((err) => {
        log('error', 'shutdown failed', { error: (err as Error).message });
        process.exit(1);
      });
  });
}

await waitForServices({ db, dbUrl: env.DATABASE_URL, redis, redisUrl: env.REDIS_URL, log });
// One wasm thread per core unless MODEL_THREADS says otherwise (1.6–1.9× faster on two cores); the heap guard
// turns running out of wasm's 4 GB into a failed run, where the threaded build could otherwise hang.
const backend = await selectBackend(env.MODEL_BACKEND, { threads: env.MODEL_THREADS ?? machineThreads() });
// Training needs every gradient registered and, on wasm, the kernels the backend lacks.
await registerAllGradients();
registerWasmTrainingKernels();
log('info', 'model backend selected', { backend: backend.name, reason: backend.reason, ...(backend.threads ? { threads: backend.threads } : {}) });

if (stopping) await new Promise(() => undefined); // shutting down already: the handler exits
started.runtime = startWorkerRuntime({
  connection: redis,
  prefix: env.QUEUE_PREFIX,
  handlers: defaultHandlers({ db, store, dataDir: env.DATA_DIR, backend: backend.name, threads: backend.threads }),
  concurrency: env.WORKER_CONCURRENCY,
  modelBackend: backend.name,
  log,
  lockMs: env.WORKER_LOCK_MS,
  ...(env.WORKER_ID ? { id: env.WORKER_ID } : {}),
});
// As often as BullMQ checks for stalled jobs, so a run follows its job within one more interval.
started.watchdog = startRunWatchdog({ db, queue: new Queue(QUEUES.training, { connection: redis, prefix: env.QUEUE_PREFIX }), intervalMs: env.WORKER_LOCK_MS / 2, log });

