import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { initWasmBackend } from './backend/wasm-threads';

// Backend choice (DESIGN.md §5): the native TensorFlow binding when it is installed and loads (it is
// an optional dependency that cannot install offline), else WebAssembly; `cpu` only when asked,
// as the numerical reference. The choice is returned so callers can report and store it.

export type BackendPreference = 'auto' | 'tensorflow' | 'wasm' | 'cpu';
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface BackendChoice {
  name: BackendName;
  /** Why this one: e.g. "tfjs-node-gpu not installed; using wasm". */
  reason: string;
  /** wasm only: the XNNPACK threads really in use (1 = the single-threaded build). */
  threads?: number;
}

export interface SelectOptions {
  /**
   * wasm only: XNNPACK threads (default 1). More than one starts tfjs's threaded build, whose pthreads
   * keep Node alive until `shutdownWasmBackend()`; long-lived processes (worker, CLI) pass `machineThreads()`.
   */
  threads?: number;
}

/**
 * wasm threads for a long-lived Node process (CLI, worker): one per core it may use, at most tfjs's 8.
 * A default since the heap guard (backend/heap-guard.ts) turns running out of wasm's 4 GB into an
 * error, in every run measured, where the threaded build would otherwise hang.
 */
export function machineThreads(): number {
  return Math.max(1, Math.min(8, availableParallelism()));
}

async function tryTensorflow(): Promise<string | null> {
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      await import(/* webpackIgnore: true */ pkg);
      if (await tf.setBackend('tensorflow')) return pkg;
    } catch {
      // Not installed, or installed without its native library: try the next one.
    }
  }
  return null;
}

export async function selectBackend(preference: BackendPreference = 'auto', opts: SelectOptions = {}): Promise<BackendChoice> {
  if (preference === 'tensorflow' || preference === 'auto') {
    const pkg = await tryTensorflow();
    if (pkg) return { name: 'tensorflow', reason: `${pkg} loaded` };
    if (preference === 'tensorflow') {
      throw new Error('backend "tensorflow" was requested but neither @tensorflow/tfjs-node-gpu nor @tensorflow/tfjs-node loads here');
    }
  }
  if (preference === 'cpu') {
    await import('@tensorflow/tfjs-backend-cpu');
    await tf.setBackend('cpu');
    await tf.ready();
    return { name: 'cpu', reason: 'requested (reference backend, slow)' };
  }
  const threads = await initWasmBackend({ threads: opts.threads ?? 1 });
  const why = preference === 'wasm' ? 'requested' : 'native TensorFlow binding not available; using wasm';
  return { name: 'wasm', reason: `${why} (${threads} thread${threads === 1 ? '' : 's'})`, threads };
}
