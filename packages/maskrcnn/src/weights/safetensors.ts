import { DTYPE_SIZE, bytesOf, convertEntry, numel, typedFromBytes } from './dtype';
import { needBytes, WeightsFormatError } from './errors';
import type { DType, ReadOptions, StateDict, TensorEntry } from './types';

/** safetensors: u64 LE header length, JSON header {name: {dtype, shape, data_offsets}}, raw LE data. */

const TO_DTYPE: Record<string, DType> = {
  F32: 'float32', F16: 'float16', BF16: 'bfloat16', F64: 'float64', I64: 'int64', I32: 'int32', I16: 'int16',
  I8: 'int8', U8: 'uint8', BOOL: 'bool',
};
const FROM_DTYPE = Object.fromEntries(Object.entries(TO_DTYPE).map(([k, v]) => [v, k])) as Record<DType, string>;
const MAX_HEADER = 100 * 1024 * 1024;

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

/** True when the bytes start like a safetensors file (plausible header length, then a JSON object). */
export function looksLikeSafetensors(bytes: Uint8Array): boolean {
  if (bytes.length < 10) return false;
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  return n > 1 && n <= MAX_HEADER && bytes[8] === 0x7b; // '{'
}

function parseHeader(bytes: Uint8Array): { header: Record<string, unknown>; dataStart: number } {
  needBytes(bytes.length, 0, 8, 'safetensors header length');
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (n > MAX_HEADER) throw new WeightsFormatError(`safetensors: header length ${n} is implausible (not a safetensors file?)`);
  needBytes(bytes.length, 8, n, 'safetensors JSON header');
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  } catch (err) {
    throw new WeightsFormatError(`safetensors: header is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new WeightsFormatError('safetensors: header is not a JSON object');
  }
  return { header: header as Record<string, unknown>, dataStart: 8 + n };
}

export function safetensorsMetadata(bytes: Uint8Array): Record<string, string> {
  const meta = parseHeader(bytes).header['__metadata__'];
  return (meta ?? {}) as Record<string, string>;
}

export function readSafetensors(bytes: Uint8Array, opts: ReadOptions = {}): StateDict {
  const { header, dataStart } = parseHeader(bytes);
  const out: StateDict = new Map();
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const e = raw as HeaderEntry;
    const dtype = TO_DTYPE[e?.dtype];
    if (!dtype) throw new WeightsFormatError(`safetensors: tensor '${name}' has unsupported dtype ${String(e?.dtype)}`);
    const [begin, end] = e.data_offsets ?? [];
    if (!Array.isArray(e.shape) || !Number.isInteger(begin) || !Number.isInteger(end)) {
      throw new WeightsFormatError(`safetensors: tensor '${name}' has a malformed header entry`);
    }
    const expected = numel(e.shape) * DTYPE_SIZE[dtype];
    if (end! - begin! !== expected) {
      throw new WeightsFormatError(`safetensors: tensor '${name}' spans ${end! - begin!} bytes, its shape needs ${expected}`);
    }
    needBytes(bytes.length, dataStart + begin!, expected, `safetensors tensor '${name}'`);
    const data = typedFromBytes(dtype, bytes.subarray(dataStart + begin!, dataStart + end!));
    out.set(name, convertEntry({ dtype, shape: [...e.shape], data }, opts));
  }
  return out;
}

/** Serialises tensors in map order; the header is space-padded so the data starts 8-byte aligned. */
export function writeSafetensors(tensors: Map<string, TensorEntry>, metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata) header['__metadata__'] = metadata;
  let offset = 0;
  for (const [name, t] of tensors) {
    const nbytes = t.data.byteLength;
    if (nbytes !== numel(t.shape) * DTYPE_SIZE[t.dtype]) {
      throw new WeightsFormatError(`writeSafetensors: '${name}' holds ${nbytes} bytes, shape ${JSON.stringify(t.shape)} of ${t.dtype} needs ${numel(t.shape) * DTYPE_SIZE[t.dtype]}`);
    }
    header[name] = { dtype: FROM_DTYPE[t.dtype], shape: t.shape, data_offsets: [offset, offset + nbytes] };
    offset += nbytes;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const pad = (8 - (json.length % 8)) % 8;
  if (pad) json = new TextEncoder().encode(JSON.stringify(header) + ' '.repeat(pad));
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let p = 8 + json.length;
  for (const t of tensors.values()) {
    out.set(bytesOf(t.data), p);
    p += t.data.byteLength;
  }
  return out;
}
