import { WeightsFormatError } from './errors';
import { PyDict, PyGlobal } from './pickle';
import type { DType } from './types';

/** The allow list for torch.save pickles: OrderedDict, the tensor/parameter rebuilders, storage classes. */

const STORAGE_DTYPES: Record<string, DType> = {
  FloatStorage: 'float32', HalfStorage: 'float16', DoubleStorage: 'float64', LongStorage: 'int64',
  IntStorage: 'int32', ShortStorage: 'int16', CharStorage: 'int8', ByteStorage: 'uint8', BoolStorage: 'bool',
  BFloat16Storage: 'bfloat16', UntypedStorage: 'uint8',
};

/** A storage class reference: carries the element dtype; never callable. */
export class StorageClass extends PyGlobal {
  constructor(module: string, name: string, readonly dtype: DType) {
    super(module, name);
  }
}

/** Storage named by a persistent id; `offset`/`size` (elements) narrow it for legacy storage views. */
export interface StorageRef {
  kind: 'storage';
  key: string;
  dtype: DType;
  numel: number;
  viewOffset: number;
  viewSize: number;
}

export interface TensorRef {
  kind: 'tensor';
  storage: StorageRef;
  offset: number;
  shape: number[];
  stride: number[];
}

export function isTensorRef(v: unknown): v is TensorRef {
  return typeof v === 'object' && v !== null && (v as TensorRef).kind === 'tensor';
}

const isStorageRef = (v: unknown): v is StorageRef =>
  typeof v === 'object' && v !== null && (v as StorageRef).kind === 'storage';

function ints(v: unknown, what: string, at: string): number[] {
  if (!Array.isArray(v) || !v.every((x) => Number.isInteger(x))) {
    throw new WeightsFormatError(`pickle: ${what} must be a tuple of integers ${at}`);
  }
  return v as number[];
}

function rebuildTensor(args: readonly unknown[], at: string): TensorRef {
  const [storage, offset, size, stride] = args;
  if (args.length < 4 || !isStorageRef(storage) || !Number.isInteger(offset)) {
    throw new WeightsFormatError(`pickle: _rebuild_tensor_v2 got unexpected arguments ${at}`);
  }
  const hooks = args[5];
  if (hooks instanceof PyDict && hooks.size > 0) {
    throw new WeightsFormatError(`pickle: tensor carries backward hooks, refused ${at}`);
  }
  return { kind: 'tensor', storage, offset: offset as number, shape: ints(size, 'size', at), stride: ints(stride, 'stride', at) };
}

function rebuildParameter(args: readonly unknown[], at: string): TensorRef {
  if (!isTensorRef(args[0])) throw new WeightsFormatError(`pickle: _rebuild_parameter expects a tensor ${at}`);
  return args[0];
}

function orderedDict(args: readonly unknown[], at: string): PyDict {
  const d = new PyDict();
  const items = args[0];
  if (items === undefined) return d;
  if (!Array.isArray(items)) throw new WeightsFormatError(`pickle: OrderedDict expects a list of pairs ${at}`);
  for (const pair of items) {
    if (!Array.isArray(pair) || pair.length !== 2) throw new WeightsFormatError(`pickle: OrderedDict item is not a pair ${at}`);
    d.set(pair[0], pair[1]);
  }
  return d;
}

export function resolveTorchGlobal(module: string, name: string, at: string): PyGlobal {
  const qualified = `${module}.${name}`;
  if (qualified === 'collections.OrderedDict') return new PyGlobal(module, name, orderedDict);
  if (qualified === 'torch._utils._rebuild_tensor_v2') return new PyGlobal(module, name, rebuildTensor);
  if (qualified === 'torch._utils._rebuild_parameter') return new PyGlobal(module, name, rebuildParameter);
  const dtype = STORAGE_DTYPES[name];
  if (dtype && (module === 'torch' || module === 'torch.storage')) return new StorageClass(module, name, dtype);
  throw new WeightsFormatError(`pickle: refused global '${qualified}' ${at} (only tensors and OrderedDict are allowed)`);
}

/**
 * Persistent ids: zip files use ('storage', cls, key, location, numel); legacy files add a sixth
 * element, view metadata (view_key, offset, size), for storages that are slices of another one.
 */
export function storageFromPid(pid: unknown, at: string, views?: Map<string, StorageRef>): StorageRef {
  if (!Array.isArray(pid) || pid[0] !== 'storage' || pid.length < 5) {
    const tag = Array.isArray(pid) && typeof pid[0] === 'string' ? ` '${pid[0]}'` : '';
    throw new WeightsFormatError(`pickle: refused persistent id${tag} ${at} (only storages are allowed)`);
  }
  const [, cls, key, , numel, view] = pid as unknown[];
  if (!(cls instanceof StorageClass) || typeof key !== 'string' || !Number.isInteger(numel)) {
    throw new WeightsFormatError(`pickle: malformed storage persistent id ${at}`);
  }
  const root: StorageRef = { kind: 'storage', key, dtype: cls.dtype, numel: numel as number, viewOffset: 0, viewSize: numel as number };
  if (view === undefined || view === null) return root;
  const [viewKey, offset, size] = Array.isArray(view) ? view : [];
  if (typeof viewKey !== 'string' || !Number.isInteger(offset) || !Number.isInteger(size)) {
    throw new WeightsFormatError(`pickle: malformed storage view metadata ${at}`);
  }
  const known = views?.get(viewKey);
  if (known) return known;
  const ref: StorageRef = { ...root, viewOffset: offset as number, viewSize: size as number };
  views?.set(viewKey, ref);
  return ref;
}
