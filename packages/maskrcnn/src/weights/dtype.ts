import { WeightsFormatError } from './errors';
import type { DType, ReadOptions, TensorData, TensorEntry } from './types';

export const DTYPE_SIZE: Record<DType, number> = {
  float32: 4, float16: 2, bfloat16: 2, float64: 8, int64: 8, int32: 4, int16: 2, int8: 1, uint8: 1, bool: 1,
};

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Typed view over a fresh, aligned copy of little-endian element bytes (every supported host is little-endian). */
export function typedFromBytes(dtype: DType, bytes: Uint8Array): TensorData {
  const size = DTYPE_SIZE[dtype];
  if (bytes.byteLength % size !== 0) {
    throw new WeightsFormatError(`${bytes.byteLength} bytes is not a whole number of ${dtype} elements`);
  }
  const buf = bytes.slice().buffer; // slice() copies into a new, 0-offset ArrayBuffer: aligned for any view
  const n = bytes.byteLength / size;
  switch (dtype) {
    case 'float32': return new Float32Array(buf, 0, n);
    case 'float64': return new Float64Array(buf, 0, n);
    case 'float16': case 'bfloat16': return new Uint16Array(buf, 0, n);
    case 'int64': return new BigInt64Array(buf, 0, n);
    case 'int32': return new Int32Array(buf, 0, n);
    case 'int16': return new Int16Array(buf, 0, n);
    case 'int8': return new Int8Array(buf, 0, n);
    case 'uint8': case 'bool': return new Uint8Array(buf, 0, n);
  }
}

/** Little-endian bytes of a typed array, without copying when possible. */
export function bytesOf(data: TensorData): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

const bf16Scratch = new DataView(new ArrayBuffer(4));
export function bfloat16ToFloat(b: number): number {
  bf16Scratch.setUint32(0, b << 16, true); // bfloat16 is the top half of a float32
  return bf16Scratch.getFloat32(0, true);
}

/** Applies ReadOptions: float16/bfloat16/float64 → float32 when asked. */
export function convertEntry(entry: TensorEntry, opts: ReadOptions): TensorEntry {
  if (!opts.toFloat32) return entry;
  const { dtype, data } = entry;
  if (dtype !== 'float16' && dtype !== 'bfloat16' && dtype !== 'float64') return entry;
  const out = new Float32Array(data.length);
  if (dtype === 'float64') out.set(data as Float64Array);
  else {
    const conv = dtype === 'float16' ? halfToFloat : bfloat16ToFloat;
    const src = data as Uint16Array;
    for (let i = 0; i < src.length; i++) out[i] = conv(src[i]!);
  }
  return { dtype: 'float32', shape: entry.shape, data: out };
}

/**
 * Gathers a (possibly strided, offset) view out of a storage's raw bytes into a contiguous tensor.
 * offset and strides count elements, as in torch.
 */
export function gatherView(
  storage: Uint8Array, dtype: DType, offset: number, shape: number[], stride: number[], what: string,
): TensorEntry {
  if (shape.length !== stride.length) {
    throw new WeightsFormatError(`${what}: shape ${JSON.stringify(shape)} and stride ${JSON.stringify(stride)} differ in rank`);
  }
  const size = DTYPE_SIZE[dtype];
  const count = numel(shape);
  const available = storage.byteLength / size;
  if (count === 0) return { dtype, shape, data: typedFromBytes(dtype, new Uint8Array(0)) };
  let last = offset;
  for (let d = 0; d < shape.length; d++) last += (shape[d]! - 1) * stride[d]!;
  if (offset < 0 || last >= available || stride.some((s) => s < 0)) {
    throw new WeightsFormatError(
      `${what}: view (offset ${offset}, shape ${JSON.stringify(shape)}, stride ${JSON.stringify(stride)}) ` +
        `reaches element ${last} of a storage holding ${available}`,
    );
  }
  if (isContiguous(shape, stride)) {
    return { dtype, shape, data: typedFromBytes(dtype, storage.subarray(offset * size, (offset + count) * size)) };
  }
  const out = new Uint8Array(count * size);
  const index = new Array<number>(shape.length).fill(0);
  let src = offset;
  for (let i = 0; i < count; i++) {
    out.set(storage.subarray(src * size, src * size + size), i * size);
    // odometer over the shape, moving the source position by the matching stride
    for (let d = shape.length - 1; d >= 0; d--) {
      index[d]! += 1;
      src += stride[d]!;
      if (index[d]! < shape[d]!) break;
      src -= shape[d]! * stride[d]!;
      index[d] = 0;
    }
  }
  return { dtype, shape, data: typedFromBytes(dtype, out) };
}

function isContiguous(shape: number[], stride: number[]): boolean {
  let expected = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] !== 1 && stride[d] !== expected) return false;
    expected *= shape[d]!;
  }
  return true;
}
