// WebAssembly memory is 32-bit: tfjs-backend-wasm's heap ends at 4 GB, and its Emscripten malloc
// aborts the module there instead of failing the allocation. Single-threaded, the process gets
// "Aborted()" and a backend that can no longer run anything; threaded, it can hang with every pthread
// spinning and SIGTERM ignored. dlmalloc cannot be asked how much is free, but every tensor goes
// through the backend's `_malloc`/`_free`, so we count those bytes and refuse, with an error that says
// what to change, an allocation that would take them past a budget set below the ceiling. The margin
// is for what we cannot see: XNNPACK's packed weights and buffers, thread stacks, fragmentation. It
// held in every run measured (1–2 threads: 0.4–0.5 GiB of heap beyond the tensors), so running out of
// memory is an error in those cases; it is not a proof for every thread count and model.
import * as tf from '@tensorflow/tfjs-core';

/** Where wasm stops: 65535 pages of 64 KiB (Emscripten's getHeapMax in tfjs-backend-wasm 4.22). */
export const WASM_HEAP_MAX_BYTES = 4294901760;
/** Default budget for tensor bytes on the wasm heap: ceiling less 512 MiB. */
export const DEFAULT_WASM_HEAP_BUDGET_BYTES = WASM_HEAP_MAX_BYTES - 512 * 2 ** 20;

export class WasmHeapLimitError extends Error {
  constructor(readonly requestedBytes: number, readonly liveBytes: number, readonly budgetBytes: number) {
    super(
      `out of WebAssembly memory: a ${mib(requestedBytes)} tensor would bring the wasm heap's tensors to `
      + `${mib(liveBytes + requestedBytes)}, over the ${mib(budgetBytes)} budget below wasm's 4 GB ceiling. `
      + 'Use smaller images (transform.maxSize / minSize), a smaller batch, or a smaller preset.',
    );
    this.name = 'WasmHeapLimitError';
  }
}

export interface WasmHeapStats {
  /** Bytes of tensors on the heap now (what the guard counts). */
  liveBytes: number;
  /** The most `liveBytes` has been since start-up or the last `resetPeak`. */
  peakBytes: number;
  /** The heap's current size (it only grows). */
  heapBytes: number;
  budgetBytes: number;
}

interface EmscriptenHeap {
  HEAPU8: Uint8Array;
  _malloc(n: number): number;
  _free(p: number): void;
}

interface Guard {
  module: EmscriptenHeap;
  sizes: Map<number, number>;
  live: number;
  peak: number;
  budget: number;
}

let guard: Guard | null = null;

const mib = (n: number): string => (n >= 2 ** 30 ? `${(n / 2 ** 30).toFixed(2)} GiB` : `${(n / 2 ** 20).toFixed(0)} MiB`);

function wasmModule(): EmscriptenHeap | null {
  if (!('wasm' in tf.engine().registry)) return null;
  const m = (tf.engine().registry['wasm'] as unknown as { wasm?: Partial<EmscriptenHeap> }).wasm;
  return m && typeof m._malloc === 'function' && typeof m._free === 'function' && m.HEAPU8 ? (m as EmscriptenHeap) : null;
}

/**
 * Puts the guard on the running wasm backend (idempotent; a new backend instance gets a new guard).
 * Allocations made before it are not counted, so install it right after start-up.
 */
export function installWasmHeapGuard(): void {
  const module = wasmModule();
  if (!module) throw new Error('the wasm backend is not running');
  if (guard?.module === module) return;
  const g: Guard = { module, sizes: new Map(), live: 0, peak: 0, budget: DEFAULT_WASM_HEAP_BUDGET_BYTES };
  // Emscripten's exports are lazy stubs that, on first call, overwrite themselves on the module with
  // the raw wasm function (which would also overwrite our wrappers): call each once, then wrap.
  module._free(module._malloc(16));
  const malloc = module._malloc;
  const free = module._free;
  module._malloc = (n: number): number => {
    if (g.live + n > g.budget) throw new WasmHeapLimitError(n, g.live, g.budget);
    const p = malloc(n);
    g.sizes.set(p >>> 0, n);
    g.live += n;
    if (g.live > g.peak) g.peak = g.live;
    return p;
  };
  module._free = (p: number): void => {
    const n = g.sizes.get(p >>> 0);
    if (n !== undefined) {
      g.sizes.delete(p >>> 0);
      g.live -= n;
    }
    free(p);
  };
  guard = g;
}

/** Changes the budget (tests use a small one); throws when the guard is not installed. */
export function setWasmHeapBudget(bytes: number): void {
  if (!guard || guard.module !== wasmModule()) throw new Error('the wasm heap guard is not installed');
  if (!(bytes > 0) || bytes > WASM_HEAP_MAX_BYTES) throw new RangeError(`heap budget must be within (0, ${WASM_HEAP_MAX_BYTES}], got ${bytes}`);
  guard.budget = bytes;
}

/** The guard's counts, or null when the wasm backend is not running with it. */
export function wasmHeapStats(): WasmHeapStats | null {
  if (!guard || guard.module !== wasmModule()) return null;
  return { liveBytes: guard.live, peakBytes: guard.peak, heapBytes: guard.module.HEAPU8.length, budgetBytes: guard.budget };
}

/** Starts a new high-water mark from the current live bytes (e.g. per training step). */
export function resetWasmHeapPeak(): void {
  if (guard) guard.peak = guard.live;
}
