// Starting tfjs-backend-wasm (with our training kernels), optionally multi-threaded in Node.
//
// tfjs 4.22 disables its threaded build in Node, and forcing it on fails three ways, each worked
// around here for the duration of the backend's start-up only:
//  1. tfjs hands Emscripten a blob: URL for the pthread worker script; Node's worker_threads only
//     run files. We write the worker source (an exported string) to a temp .cjs file instead.
//  2. The worker is then sent the Emscripten factory as a Blob of bundled source (which refers to
//     bundler-renamed requires); a prologue in our worker file swaps it for the package's own
//     Emscripten script path.
//  3. tfjs caps threads at (logical cores / 2), read once at start-up; we report 2·threads cores.
// Running pthreads keep Node alive: call `shutdownWasmBackend()` before the process should exit.
import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { installWasmHeapGuard } from './heap-guard';
import { registerWasmTrainingKernels } from './register';

export interface WasmInitOptions {
  /** Worker threads for XNNPACK (1 = single-threaded build). Capped at 8 by tfjs. */
  threads?: number;
}

let tempDir: string | null = null;

const isNode = () => typeof process !== 'undefined' && typeof process.versions?.node === 'string';
/** Whether the wasm backend is already initialised. (tf.findBackend would start it as a side effect.) */
const wasmStarted = () => 'wasm' in tf.engine().registry;

/** Prepares Node for the threaded build; returns a function that undoes the start-up patches. */
async function prepareNodeThreads(threads: number): Promise<() => void> {
  const [{ createRequire }, fs, path, osMod] = await Promise.all([
    import('node:module'), import('node:fs'), import('node:path'), import('node:os'),
  ]);
  const req = createRequire(import.meta.url);
  const wasmOut = path.join(path.dirname(req.resolve('@tensorflow/tfjs-backend-wasm')), '..', 'wasm-out');
  const { wasmWorkerContents } = req(path.join(wasmOut, 'tfjs-backend-wasm-threaded-simd.worker.js')) as { wasmWorkerContents: string };
  const mainJs = path.join(wasmOut, 'tfjs-backend-wasm-threaded-simd.js');
  const prologue = `{const wt=require("worker_threads");const on=wt.parentPort.on.bind(wt.parentPort);`
    + `wt.parentPort.on=(ev,h)=>on(ev,ev!=="message"?h:(d)=>{`
    + `if(d&&d.cmd==="load"&&typeof d.urlOrBlob!=="string")d.urlOrBlob=${JSON.stringify(mainJs)};h(d);});}\n`;
  tempDir = fs.mkdtempSync(path.join(osMod.tmpdir(), 'tfjs-wasm-'));
  const workerFile = path.join(tempDir, 'pthread-worker.cjs');
  // the source was a template literal: its "\n" escapes became real newlines inside JS strings
  fs.writeFileSync(workerFile, prologue + wasmWorkerContents.replace(/\n/g, '\\n'));

  const createObjectURL = URL.createObjectURL;
  URL.createObjectURL = (o: Blob) => (o instanceof Blob && o.type === 'application/javascript' ? workerFile : createObjectURL(o));
  const os = req('node:os') as { cpus: () => unknown[] };
  const cpus = os.cpus;
  os.cpus = () => { const one = cpus()[0]; return Array.from({ length: 2 * threads }, () => one); };
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  return () => { URL.createObjectURL = createObjectURL; os.cpus = cpus; };
}

/**
 * Makes `wasm` the active backend with the training kernels registered; returns the thread count
 * it really uses. Must run before anything else initialises the wasm backend.
 */
export async function initWasmBackend(opts: WasmInitOptions = {}): Promise<number> {
  const threads = Math.max(1, Math.min(8, Math.floor(opts.threads ?? 1)));
  // Already running (its thread pool is fixed at start-up): keep it as it is.
  if (wasmStarted()) {
    await tf.setBackend('wasm');
  } else {
    let restore = () => {};
    if (threads > 1) {
      setThreadsCount(threads);
      if (isNode()) restore = await prepareNodeThreads(threads);
    }
    try {
      if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend failed to initialise');
      await tf.ready();
    } finally {
      restore();
    }
  }
  registerWasmTrainingKernels();
  installWasmHeapGuard(); // keeps a budget set earlier with setWasmHeapBudget
  return getThreadsCount();
}

/** Disposes the wasm backend (terminating its pthreads) and removes the temp worker file. */
export async function shutdownWasmBackend(): Promise<void> {
  if (wasmStarted()) tf.removeBackend('wasm');
  if (tempDir && isNode()) {
    const fs = await import('node:fs');
    fs.rmSync(tempDir, { recursive: true, force: true });
    tempDir = null;
  }
}
