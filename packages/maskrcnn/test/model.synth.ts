// Test helpers for the model tests: closed-form "synthetic" weights and inputs, identical to
// fixtures/make_model_keys.py's synth()/synth_input(), so torch references need not store weights.
import * as tf from '@tensorflow/tfjs-core';
import type { StateDictTensor } from '../src/model/params';

export function phase(name: string): number {
  let s = 0;
  for (let j = 0; j < name.length; j++) s += name.charCodeAt(j) * (j + 1);
  return ((s % 997) / 997) * 2 * Math.PI;
}

const prod = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

export function synthWeight(name: string, shape: readonly number[]): StateDictTensor {
  const n = prod(shape);
  const ph = phase(name);
  const last = name.slice(name.lastIndexOf('.') + 1);
  const fanIn = (shape[1] ?? 1) * prod(shape.slice(2));
  const isBn = name.includes('.bn') || name.includes('.downsample.1.');
  const parts = name.split('.');
  const boost = ({ cls_logits: 40, cls_score: 30 } as Record<string, number>)[parts[parts.length - 2] ?? ''] ?? 1;
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const v = Math.sin(0.7071 * i + ph);
    if (last === 'running_var') data[i] = 1.2 + 0.5 * v;
    else if (last === 'running_mean') data[i] = 0.1 * v;
    else if (shape.length >= 2) data[i] = v * Math.sqrt(3 / fanIn) * boost;
    else if (isBn) data[i] = last === 'weight' ? 1 + 0.2 * v : 0.1 * v;
    else data[i] = 0.05 * v;
  }
  return { dtype: 'float32', shape: [...shape], data };
}

/** synth_input(name, NCHW shape) as an NHWC tensor. */
export function synthInputNhwc(name: string, nchw: [number, number, number, number]): tf.Tensor4D {
  const n = prod(nchw);
  const ph = phase(name);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = Math.sin(0.7071 * i + ph);
  return tf.tidy(() => tf.transpose(tf.tensor4d(data, nchw), [0, 2, 3, 1]));
}

export interface Packed {
  shape: number[];
  data: number[];
}

/** max |a − ref| / max |ref|: a scale-aware error for whole feature maps. */
export function relError(a: ArrayLike<number>, ref: ArrayLike<number>): number {
  if (a.length !== ref.length) throw new Error(`length ${a.length} vs ${ref.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < ref.length; i++) {
    diff = Math.max(diff, Math.abs((a[i] ?? NaN) - (ref[i] ?? NaN)));
    scale = Math.max(scale, Math.abs(ref[i] ?? 0));
  }
  return Number.isNaN(diff) ? Infinity : diff / Math.max(scale, 1e-12);
}

export async function useBackend(name: string): Promise<void> {
  await tf.setBackend(name);
  await tf.ready();
}

/** synth_image(seed, h, w) of the reference script as an [H, W, 3] tensor in [0, 1]. */
export function synthImage(seed: number, h: number, w: number): tf.Tensor3D {
  const data = new Float32Array(h * w * 3);
  const discs: [number, number, number, (c: number) => number][] = [
    [0.3 * h, 0.35 * w, 0.18 * Math.min(h, w), () => 0.4],
    [0.7 * h, 0.65 * w, 0.12 * Math.min(h, w), (c) => -0.4 + 0.3 * c],
  ];
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) {
    let v = 0.5 + 0.25 * Math.sin((0.013 * x * x) / (1 + c + seed) + 0.021 * y * (c + 2)) + 0.2 * Math.cos(0.0017 * y * y * (1 + seed) + (0.05 * x * y) / (5 + c));
    for (const [cy, cx, r, amp] of discs) if ((y - cy) ** 2 + (x - cx) ** 2 < r * r) v += amp(c);
    data[(y * w + x) * 3 + c] = Math.min(Math.max(v, 0), 1);
  }
  return tf.tensor3d(data, [h, w, 3]);
}

/**
 * Pairs reference boxes with ours (same label when given, every coordinate within `tol`), greedily in
 * reference order; near-tied scores may legitimately reorder or swap boundary items, so parity is
 * judged on the matched fraction and on the values of matched pairs.
 */
export function matchBoxes(
  got: ArrayLike<number>, want: ArrayLike<number>, tol: number, gotLabels?: ArrayLike<number>, wantLabels?: ArrayLike<number>,
): { pairs: [number, number][]; fraction: number } {
  const n = want.length / 4, m = got.length / 4;
  const used = new Uint8Array(m);
  const pairs: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      if (used[j] || (gotLabels && wantLabels && gotLabels[j] !== wantLabels[i])) continue;
      let ok = true;
      for (let c = 0; c < 4 && ok; c++) ok = Math.abs(got[j * 4 + c]! - want[i * 4 + c]!) < tol;
      if (ok) { used[j] = 1; pairs.push([i, j]); break; }
    }
  }
  return { pairs, fraction: n === 0 ? 1 : pairs.length / n };
}
