import { DTYPE_SIZE, convertEntry, gatherView } from './dtype';
import { needBytes, WeightsFormatError } from './errors';
import { PyDict, unpickle } from './pickle';
import { isTensorRef, resolveTorchGlobal, storageFromPid, type StorageRef } from './torch-pickle';
import type { ReadOptions, StateDict, TensorEntry } from './types';
import { unwrapStateDict } from './unwrap';
import { isZip, ZipArchive } from './zip';

/** Reads PyTorch .pth files: the zip format (torch ≥ 1.6) and the legacy pickle-stream format. */

const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
const LEGACY_PROTOCOL = 1001;

type StorageBytes = (ref: StorageRef) => Uint8Array;

/** The whole pickled object, with every tensor replaced by a TensorEntry and dicts as PyDict. */
export function loadPth(bytes: Uint8Array, opts: ReadOptions = {}): unknown {
  if (isZip(bytes)) return loadZip(bytes, opts);
  if (bytes[0] === 0x80) return loadLegacy(bytes, opts);
  throw new WeightsFormatError('not a PyTorch file: neither a zip archive nor a pickle stream (wrong magic)');
}

/** The state dict inside a .pth (unwrapping {'model': ...}, {'state_dict': ...} and similar). */
export function readPth(bytes: Uint8Array, opts: ReadOptions = {}): StateDict {
  return unwrapStateDict(loadPth(bytes, opts));
}

function loadZip(bytes: Uint8Array, opts: ReadOptions): unknown {
  const zip = new ZipArchive(bytes);
  const pkl = zip.names().find((n) => n === 'data.pkl' || n.endsWith('/data.pkl'));
  if (!pkl) throw new WeightsFormatError('zip archive has no data.pkl: not a torch.save file');
  const prefix = pkl.slice(0, -'data.pkl'.length);
  if (zip.has(`${prefix}byteorder`) && new TextDecoder().decode(zip.read(`${prefix}byteorder`)).trim() !== 'little') {
    throw new WeightsFormatError('big-endian torch.save files are not supported');
  }
  const { value } = unpickle(zip.read(pkl), 0, {
    source: pkl,
    resolveGlobal: resolveTorchGlobal,
    persistentLoad: (pid, at) => storageFromPid(pid, at),
  });
  const storageBytes: StorageBytes = (ref) => {
    const name = `${prefix}data/${ref.key}`;
    const data = zip.read(name);
    const nbytes = ref.numel * DTYPE_SIZE[ref.dtype];
    if (data.byteLength < nbytes) {
      throw new WeightsFormatError(`truncated file: storage '${name}' has ${data.byteLength} bytes, expected ${nbytes}`);
    }
    return data;
  };
  return materialise(value, storageBytes, opts);
}

function loadLegacy(bytes: Uint8Array, opts: ReadOptions): unknown {
  const refuseAll = (module: string, name: string, at: string): never => {
    throw new WeightsFormatError(`pickle: refused global '${module}.${name}' ${at} (legacy .pth header)`);
  };
  const header = (start: number, what: string) => {
    const r = unpickle(bytes, start, { resolveGlobal: refuseAll, source: `legacy ${what}` });
    return r;
  };
  const magic = header(0, 'magic number');
  if (magic.value !== LEGACY_MAGIC) throw new WeightsFormatError('not a PyTorch file: wrong magic number');
  const protocol = header(magic.end, 'protocol version');
  if (protocol.value !== LEGACY_PROTOCOL) {
    throw new WeightsFormatError(`unsupported legacy .pth protocol ${String(protocol.value)} (expected ${LEGACY_PROTOCOL})`);
  }
  const sysInfo = header(protocol.end, 'sys info');
  if (sysInfo.value instanceof PyDict && sysInfo.value.get('little_endian') === false) {
    throw new WeightsFormatError('big-endian legacy .pth files are not supported');
  }
  const roots = new Map<string, StorageRef>();
  const views = new Map<string, StorageRef>();
  const main = unpickle(bytes, sysInfo.end, {
    source: 'legacy object pickle',
    resolveGlobal: resolveTorchGlobal,
    persistentLoad: (pid, at) => {
      const ref = storageFromPid(pid, at, views);
      if (!roots.has(ref.key)) roots.set(ref.key, { ...ref, viewOffset: 0, viewSize: ref.numel });
      return ref;
    },
  });
  const keys = header(main.end, 'storage key list');
  if (!Array.isArray(keys.value) || !keys.value.every((k) => typeof k === 'string')) {
    throw new WeightsFormatError('legacy .pth: storage key list is not a list of strings');
  }
  // raw storages follow in key-list order, each as int64 element count + data
  const blobs = new Map<string, Uint8Array>();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let p = keys.end;
  for (const key of keys.value as string[]) {
    const root = roots.get(key);
    if (!root) throw new WeightsFormatError(`legacy .pth: storage '${key}' is listed but never referenced`);
    needBytes(bytes.length, p, 8, `element count of storage '${key}'`);
    const count = Number(view.getBigInt64(p, true));
    const nbytes = count * DTYPE_SIZE[root.dtype];
    needBytes(bytes.length, p + 8, nbytes, `data of storage '${key}'`);
    blobs.set(key, bytes.subarray(p + 8, p + 8 + nbytes));
    p += 8 + nbytes;
  }
  return materialise(main.value, (ref) => {
    const blob = blobs.get(ref.key);
    if (!blob) throw new WeightsFormatError(`legacy .pth: storage '${ref.key}' has no data`);
    return blob;
  }, opts);
}

/** Replaces tensor references with contiguous TensorEntry copies, honouring storage views and strides. */
function materialise(value: unknown, storageBytes: StorageBytes, opts: ReadOptions): unknown {
  const walk = (v: unknown): unknown => {
    if (isTensorRef(v)) {
      const { storage } = v;
      const size = DTYPE_SIZE[storage.dtype];
      const window = storageBytes(storage).subarray(storage.viewOffset * size, (storage.viewOffset + storage.viewSize) * size);
      const entry: TensorEntry = gatherView(window, storage.dtype, v.offset, v.shape, v.stride, `storage '${storage.key}'`);
      return convertEntry(entry, opts);
    }
    if (v instanceof PyDict) {
      const out = new PyDict();
      for (const [k, x] of v) out.set(k, walk(x));
      out.state = v.state;
      return out;
    }
    if (Array.isArray(v)) return v.map(walk);
    return v;
  };
  return walk(value);
}
