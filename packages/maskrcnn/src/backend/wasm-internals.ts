// The slice of tfjs-backend-wasm's BackendWasm that our kernels use. The class is not exported with
// types we can rely on, so kernels receive `backend: unknown` and view it through this interface.
import * as tf from '@tensorflow/tfjs-core';

export type TensorInfo = tf.TensorInfo;
export type Attrs = tf.NamedAttrMap;

export interface WasmBackend {
  /** Allocates a tensor on the wasm heap (contents uninitialised) and registers it. */
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  /** A live view of a tensor's heap memory; any later allocation may detach it (heap growth). */
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
  disposeData(dataId: tf.DataId, force?: boolean): boolean;
}

export function asWasm(backend: unknown): WasmBackend {
  const b = backend as Partial<WasmBackend> | null;
  if (!b || typeof b.makeOutput !== 'function' || typeof b.typedArrayFromHeap !== 'function') {
    throw new Error('wasm training kernels need the wasm backend');
  }
  return b as WasmBackend;
}

export function f32(backend: WasmBackend, t: TensorInfo): Float32Array {
  const a = backend.typedArrayFromHeap(t);
  if (!(a instanceof Float32Array)) throw new Error(`expected float32, got ${t.dtype}`);
  return a;
}

/**
 * Runs one of the wasm backend's own kernels. Kernels captured before we replaced them can be
 * passed as `fn` so a replacement can still delegate to (or be benchmarked against) the original.
 */
export function runKernel(
  backend: WasmBackend, name: string, inputs: tf.NamedTensorInfoMap, attrs: Attrs = {}, fn?: tf.KernelFunc,
): TensorInfo {
  const kernel = fn ?? tf.getKernel(name, 'wasm')?.kernelFunc;
  if (!kernel) throw new Error(`wasm kernel ${name} is not registered`);
  const out = kernel({ inputs, backend, attrs });
  if (Array.isArray(out)) throw new Error(`wasm kernel ${name} returned several outputs`);
  return out;
}

export function dispose(backend: WasmBackend, ...infos: TensorInfo[]): void {
  for (const t of infos) backend.disposeData(t.dataId);
}

export function zeros(backend: WasmBackend, shape: number[]): TensorInfo {
  const out = backend.makeOutput(shape, 'float32');
  f32(backend, out).fill(0);
  return out;
}
