import * as tf from '@tensorflow/tfjs-core';
import { fromTorch, tfShape, toTorch } from './layout';
import type { ParamSpec } from './spec';
import { bfloat16ToFloat, halfToFloat } from '../weights/dtype';

/** One entry of a PyTorch state_dict as the weight readers return it. */
export interface StateDictTensor {
  dtype: string;
  shape: readonly number[];
  data: ArrayLike<number> | ArrayLike<bigint>;
}
export type StateDict = ReadonlyMap<string, StateDictTensor>;

/** What every module reads its weights through. */
export interface Params {
  /** The tfjs-layout tensor for a torchvision state_dict key. */
  get(name: string): tf.Tensor;
  /** A conv with its FrozenBatchNorm folded in, when precomputed for inference (see fold.ts). */
  folded?(convWeightKey: string): FoldedConv | undefined;
}

export interface FoldedConv {
  filter: tf.Tensor4D;
  bias: tf.Tensor1D;
}

export interface LoadMismatch {
  key: string;
  expected: number[];
  got: number[];
}

export class StateDictError extends Error {
  constructor(
    readonly missing: string[],
    readonly unexpected: string[],
    readonly mismatched: LoadMismatch[],
  ) {
    const parts: string[] = [];
    if (mismatched.length) {
      parts.push(`shape mismatch (torch layout):\n${mismatched.map((m) => `  ${m.key}: expected [${m.expected.join(',')}], got [${m.got.join(',')}]`).join('\n')}`);
    }
    if (missing.length) parts.push(`missing keys (${missing.length}):\n${missing.map((k) => `  ${k}`).join('\n')}`);
    if (unexpected.length) parts.push(`unexpected keys (${unexpected.length}):\n${unexpected.map((k) => `  ${k}`).join('\n')}`);
    super(`cannot load state dict:\n${parts.join('\n')}`);
    this.name = 'StateDictError';
  }
}

export interface LoadOptions {
  /** Keys matching any pattern keep their initial value (e.g. predictors when the class count changes). */
  ignore?: RegExp[];
  /** Seed for the initial values of ignored keys. */
  seed?: number;
}

/**
 * Renames of state_dict keys written before torchvision 0.13 (module `_version` < 2): FPN blocks and
 * RPN conv became Conv2dNormActivation, MaskRCNNHeads' `mask_fcnN` became `N-1.0`.
 */
export function upgradeLegacyKey(key: string): string {
  let m = /^(.*fpn\.(?:inner|layer)_blocks\.\d+)\.(weight|bias)$/.exec(key);
  if (m) return `${m[1]}.0.${m[2]}`;
  m = /^(.*rpn\.head\.conv)\.(weight|bias)$/.exec(key);
  if (m) return `${m[1]}.0.0.${m[2]}`;
  m = /^(.*mask_head)\.mask_fcn(\d+)\.(weight|bias)$/.exec(key);
  if (m) return `${m[1]}.${Number(m[2]) - 1}.0.${m[3]}`;
  return key;
}

/** float32 values of a state-dict tensor; half types arrive as raw bit patterns from the readers. */
function toFloat32(t: StateDictTensor, key: string): Float32Array {
  if (t.data instanceof Float32Array) return t.data;
  const half = t.dtype === 'float16' ? halfToFloat : t.dtype === 'bfloat16' ? bfloat16ToFloat : undefined;
  if (!half && t.dtype !== 'float64') throw new Error(`${key}: ${t.dtype} tensor where a floating-point parameter is expected`);
  const n = t.data.length;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const v = t.data[i];
    if (typeof v !== 'number') throw new Error(`${key}: non-numeric element in a ${t.dtype} tensor`);
    out[i] = half ? half(v) : v;
  }
  return out;
}

function initTensor(spec: ParamSpec, seed: number): tf.Tensor {
  const shape = tfShape(spec);
  const i = spec.init;
  switch (i.dist) {
    case 'normal':
      return tf.randomNormal(shape, 0, i.std, 'float32', seed);
    case 'uniform':
      return tf.randomUniform(shape, -i.bound, i.bound, 'float32', seed);
    case 'const':
      return tf.fill(shape, i.value, 'float32');
  }
}

/** Model parameters as tfjs Variables keyed by torchvision state_dict names, in tfjs layout. */
export class ParamStore implements Params {
  readonly specs: ReadonlyMap<string, ParamSpec>;
  private readonly vars = new Map<string, tf.Variable>();

  private constructor(specs: readonly ParamSpec[], values: Map<string, tf.Tensor>) {
    const m = new Map<string, ParamSpec>();
    for (const s of specs) {
      if (m.has(s.name)) throw new Error(`duplicate parameter ${s.name}`);
      m.set(s.name, s);
    }
    this.specs = m;
    for (const s of specs) {
      const v = values.get(s.name);
      if (!v) throw new Error(`no value for ${s.name}`);
      // Variable names are global in tfjs; a counter keeps two stores from colliding.
      this.vars.set(s.name, tf.variable(v, s.trainable, `${s.name}#${ParamStore.counter++}`));
      v.dispose();
    }
  }

  private static counter = 0;

  /** Fresh parameters initialised as torchvision does (deterministic for a given seed). */
  static init(specs: readonly ParamSpec[], seed = 0): ParamStore {
    const values = new Map<string, tf.Tensor>();
    specs.forEach((s, i) => values.set(s.name, initTensor(s, seed * 100_003 + i)));
    return new ParamStore(specs, values);
  }

  /**
   * Parameters from a torchvision state_dict (legacy key spellings accepted, `num_batches_tracked`
   * ignored). Throws a StateDictError naming every missing, unexpected and mis-shaped key.
   */
  static fromStateDict(specs: readonly ParamSpec[], sd: StateDict, opts: LoadOptions = {}): ParamStore {
    const ignored = (k: string): boolean => (opts.ignore ?? []).some((r) => r.test(k));
    const byName = new Map(specs.map((s) => [s.name, s]));
    const given = new Map<string, StateDictTensor>();
    const unexpected: string[] = [];
    for (const [rawKey, t] of sd) {
      if (rawKey.endsWith('num_batches_tracked')) continue;
      const key = byName.has(rawKey) ? rawKey : upgradeLegacyKey(rawKey);
      if (ignored(key)) continue;
      if (!byName.has(key)) unexpected.push(rawKey);
      else given.set(key, t);
    }
    const missing: string[] = [];
    const mismatched: LoadMismatch[] = [];
    for (const s of specs) {
      if (ignored(s.name)) continue;
      const t = given.get(s.name);
      if (!t) missing.push(s.name);
      else if (t.shape.length !== s.torchShape.length || t.shape.some((d, i) => d !== s.torchShape[i])) {
        mismatched.push({ key: s.name, expected: [...s.torchShape], got: [...t.shape] });
      }
    }
    if (missing.length || unexpected.length || mismatched.length) throw new StateDictError(missing, unexpected, mismatched);
    const values = new Map<string, tf.Tensor>();
    specs.forEach((s, i) => {
      const t = given.get(s.name);
      values.set(s.name, t ? fromTorch(s, toFloat32(t, s.name)) : initTensor(s, (opts.seed ?? 0) * 100_003 + i));
    });
    return new ParamStore(specs, values);
  }

  get(name: string): tf.Tensor {
    const v = this.vars.get(name);
    if (!v) throw new Error(`unknown parameter "${name}"`);
    return v;
  }

  variable(name: string): tf.Variable {
    const v = this.vars.get(name);
    if (!v) throw new Error(`unknown parameter "${name}"`);
    return v;
  }

  names(): string[] {
    return [...this.specs.keys()];
  }

  /** Variables that training updates (trainable specs only), keyed by state_dict name. */
  trainableVariables(): Map<string, tf.Variable> {
    return new Map([...this.vars].filter(([k]) => this.specs.get(k)?.trainable));
  }

  /** Torch-layout copy of every parameter, ready for a state_dict writer. */
  async toStateDict(): Promise<Map<string, { dtype: 'float32'; shape: number[]; data: Float32Array }>> {
    const out = new Map<string, { dtype: 'float32'; shape: number[]; data: Float32Array }>();
    for (const [name, spec] of this.specs) {
      const t = toTorch(spec, this.get(name));
      out.set(name, { dtype: 'float32', shape: [...spec.torchShape], data: (await t.data()) as Float32Array });
      t.dispose();
    }
    return out;
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }
}
