// Bookkeeping kernels (index shuffles, scatter-adds) written once over plain typed arrays and
// registered on both the wasm and the cpu backend, so the two agree by construction.
import type * as tf from '@tensorflow/tfjs-core';
import { asWasm } from './wasm-internals';

export interface ArrayIn { values: ArrayLike<number>; shape: number[]; dtype: tf.DataType }
export interface ArrayOut { values: Float32Array | Int32Array; shape: number[]; dtype: tf.DataType }
export type ArrayCompute = (inputs: Record<string, ArrayIn>, attrs: tf.NamedAttrMap) => ArrayOut;

/** The cpu backend's storage (tfjs-backend-cpu keeps a JS typed array per tensor). */
interface CpuBackend {
  data: { get(id: tf.DataId): { values: ArrayLike<number> } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array | Int32Array): tf.TensorInfo;
}

export function arrayKernel(backendName: 'wasm' | 'cpu', compute: ArrayCompute): tf.KernelFunc {
  if (backendName === 'cpu') {
    return ({ inputs, backend, attrs }) => {
      const cpu = backend as CpuBackend;
      const ins = mapInputs(inputs, (t) => cpu.data.get(t.dataId).values);
      const out = compute(ins, attrs ?? {});
      return cpu.makeTensorInfo(out.shape, out.dtype, out.values);
    };
  }
  return ({ inputs, backend, attrs }) => {
    const b = asWasm(backend);
    // views are safe while compute runs: nothing allocates on the wasm heap meanwhile
    const out = compute(mapInputs(inputs, (t) => b.typedArrayFromHeap(t)), attrs ?? {});
    const info = b.makeOutput(out.shape, out.dtype);
    b.typedArrayFromHeap(info).set(out.values);
    return info;
  };
}

function mapInputs(inputs: tf.NamedTensorInfoMap, values: (t: tf.TensorInfo) => ArrayLike<number>): Record<string, ArrayIn> {
  const out: Record<string, ArrayIn> = {};
  for (const [k, t] of Object.entries(inputs)) {
    if (t) out[k] = { values: values(t), shape: t.shape, dtype: t.dtype };
  }
  return out;
}
