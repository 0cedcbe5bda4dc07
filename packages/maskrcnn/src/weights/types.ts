export type DType = 'float32' | 'float16' | 'bfloat16' | 'float64' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

/** Raw element storage per dtype: float16/bfloat16 keep their bit patterns, bool is one byte per element. */
export type TensorData =
  | Float32Array
  | Float64Array
  | Uint16Array
  | BigInt64Array
  | Int32Array
  | Int16Array
  | Int8Array
  | Uint8Array;

export interface TensorEntry {
  dtype: DType;
  /** Row-major (C order) shape exactly as torch reports it; [] for a scalar. */
  shape: number[];
  data: TensorData;
}

/** Parameter name (torchvision state_dict key) → tensor, in file order. */
export type StateDict = Map<string, TensorEntry>;

export interface ReadOptions {
  /** Convert float16, bfloat16 and float64 tensors to float32 (dtype becomes 'float32'). */
  toFloat32?: boolean;
}
