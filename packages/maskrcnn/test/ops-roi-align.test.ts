// RoIAlign and MultiScaleRoIAlign against torchvision 0.14 (fixtures/make_ops_fixtures.py), forward on
// the cpu and wasm backends, gradient w.r.t. the features on cpu (wasm lacks gather's gradient kernel).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core alone registers no gradients (the tfjs umbrella package does this import)
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { roiAlign, type RoiAlignOptions } from '../src/ops/roi-align';
import { planRoiAlign, roiAlignGather } from '../src/ops/roi-align-gather';
import { inferScale, mapLevels, multiScaleRoiAlign, setupScales } from '../src/ops/multi-scale-roi-align';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const load = (name: string): any =>
  JSON.parse(readFileSync(new URL(`./fixtures/ops/${name}`, import.meta.url), 'utf8'));

function maxAbsErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < b.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** The closed formula of make_ops_fixtures.formula_features, NHWC. */
function formulaFeatures(level: number, n: number, h: number, w: number, c: number): tf.Tensor4D {
  const v = new Float32Array(n * h * w * c);
  let o = 0;
  for (let b = 0; b < n; b++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let ch = 0; ch < c; ch++) v[o++] = Math.sin(0.37 * y + 0.23 * x + 1.1 * ch + 0.5 * level + 0.7 * b);
  return tf.tensor4d(v, [n, h, w, c]);
}

const ra = load('roi_align.json');
const rois: number[] = ra.rois;
const k = rois.length / 5;
const boxes = new Float32Array(k * 4);
const batchIndex = new Int32Array(k);
for (let i = 0; i < k; i++) {
  batchIndex[i] = rois[i * 5]!;
  boxes.set(rois.slice(i * 5 + 1, i * 5 + 5), i * 4);
}
const optionsOf = (c: { spatialScale: number; samplingRatio: number; outputSize: [number, number] }): RoiAlignOptions => ({
  spatialScale: c.spatialScale,
  samplingRatio: c.samplingRatio,
  outputSize: c.outputSize,
});

const impls = { loops: roiAlign, gather: roiAlignGather };

for (const [name, align] of Object.entries(impls)) {
  for (const backend of ['cpu', 'wasm']) {
    describe(`roiAlign (${name}) forward on ${backend}`, () => {
      for (const c of ra.cases) {
        it(`scale ${c.spatialScale}, sampling ${c.samplingRatio}, output ${c.outputSize}`, async () => {
          await tf.setBackend(backend);
          await tf.ready();
          const feats = tf.tensor4d(ra.features, ra.featureShape);
          const out = align(feats, boxes, optionsOf(c), batchIndex);
          expect(out.shape).toEqual([k, c.outputSize[0], c.outputSize[1], ra.featureShape[3]]);
          expect(maxAbsErr(await out.data(), c.output)).toBeLessThan(1e-5);
          tf.dispose([feats, out]);
        });
      }
    });
  }
  // the gather variant needs gather's gradient (UnsortedSegmentSum), which wasm lacks today
  for (const backend of name === 'loops' ? ['cpu', 'wasm'] : ['cpu']) {
    describe(`roiAlign (${name}) gradient on ${backend}`, () => {
      for (const c of ra.cases) {
        it(`matches torch autograd: scale ${c.spatialScale}, sampling ${c.samplingRatio}`, async () => {
          await tf.setBackend(backend);
          await tf.ready();
          const feats = tf.tensor4d(ra.features, ra.featureShape);
          const up = tf.tensor4d(c.upstream, [k, c.outputSize[0], c.outputSize[1], ra.featureShape[3]]);
          const loss = (f: tf.Tensor) => tf.sum(tf.mul(align(f as tf.Tensor4D, boxes, optionsOf(c), batchIndex), up));
          const g = tf.grad(loss)(feats);
          expect(maxAbsErr(await g.data(), c.gradFeatures)).toBeLessThan(1e-5);
          tf.dispose([feats, up, g]);
        });
      }
    });
  }
}

describe('roiAlign plan', () => {
  it('touches only distinct rows/columns and drops boxes outside the map', () => {
    const plan = planRoiAlign([2, 9, 11, 3], boxes, { spatialScale: 0.5, samplingRatio: 2, outputSize: [3, 4] }, batchIndex);
    expect(plan.rows).toBeLessThanOrEqual(9);
    expect(plan.cols).toBeLessThanOrEqual(11);
    // box 5 lies entirely outside the feature map: all its weights are zero
    const off = 5 * 3 * plan.rows;
    expect(plan.wy.subarray(off, off + 3 * plan.rows).every((v) => v === 0)).toBe(true);
    // every in-map output row's y weights sum to 1 (an interior box)
    const sum = plan.wy.subarray(0, plan.rows).reduce((s, v) => s + v, 0);
    expect(sum).toBeCloseTo(1, 6);
  });
  it('handles zero boxes', async () => {
    await tf.setBackend('cpu');
    for (const align of Object.values(impls)) {
      const out = align(tf.zeros([1, 4, 4, 2]) as tf.Tensor4D, new Float32Array(0), { spatialScale: 1, samplingRatio: 2, outputSize: 2 });
      expect(out.shape).toEqual([0, 2, 2, 2]);
    }
  });
});

describe('multiScaleRoiAlign', () => {
  const ms = load('multiscale.json');
  const [ph, pw] = ms.paddedSize as [number, number];
  const strides = [4, 8, 16, 32];
  const boxesPerImage = (ms.boxes as number[][]).map((b) => Float32Array.from(b));
  it('infers scales and levels like torchvision', () => {
    const sizes = strides.map((s) => [ph / s, pw / s] as [number, number]);
    const setup = setupScales(sizes, ms.imageShapes);
    expect(setup.scales).toEqual(ms.scales);
    expect([setup.kMin, setup.kMax]).toEqual([2, 5]);
    expect(inferScale([25, 34], [800, 1088])).toBe(1 / 32);
    const all = new Float32Array([...boxesPerImage[0]!, ...boxesPerImage[1]!]);
    expect(Array.from(mapLevels(all, setup.kMin, setup.kMax))).toEqual(ms.levels);
  });
  for (const backend of ['cpu', 'wasm']) {
    it(`pools in box order on ${backend}`, async () => {
      await tf.setBackend(backend);
      await tf.ready();
      const feats = strides.map((s, lvl) => formulaFeatures(lvl, 2, ph / s, pw / s, ms.channels));
      for (const key of Object.keys(ms.outputs)) {
        const [size, sr] = key.split('_').map(Number) as [number, number];
        for (const impl of ['loops', 'gather'] as const) {
          const opts = { outputSize: size, samplingRatio: sr, impl };
          const out = multiScaleRoiAlign(feats, boxesPerImage, ms.imageShapes, opts);
          expect(out.shape).toEqual([ms.levels.length, size, size, ms.channels]);
          expect(maxAbsErr(await out.data(), ms.outputs[key])).toBeLessThan(1e-5);
          out.dispose();
        }
      }
      tf.dispose(feats);
    });
  }
});

describe('multiScaleRoiAlign gradient', () => {
  // RoIAlign is linear in the features, so its gradient g of L(F) = sum(out(F) * up) must satisfy
  // <g, F'> = sum(out(F') * up) for any F' (an adjoint test); out itself is checked against torch above.
  // (The gather variant's gradient is not used as a reference: tfjs-cpu's UnsortedSegmentSum is
  // O(segments x rows) and takes minutes at these map sizes.)
  const ms = load('multiscale.json');
  const [ph, pw] = ms.paddedSize as [number, number];
  const strides = [4, 8, 16, 32];
  const boxesPerImage = (ms.boxes as number[][]).map((b) => Float32Array.from(b));
  for (const backend of ['cpu', 'wasm']) {
    it(`passes the adjoint test on ${backend}`, async () => {
      await tf.setBackend(backend);
      await tf.ready();
      const opts = { outputSize: 7, samplingRatio: 2 };
      const feats = strides.map((s, lvl) => formulaFeatures(lvl, 2, ph / s, pw / s, ms.channels));
      const other = strides.map((s, lvl) => formulaFeatures(lvl + 3.3, 2, ph / s, pw / s, ms.channels));
      const n = ms.levels.length * 7 * 7 * ms.channels;
      const up = tf.tensor4d(Float32Array.from({ length: n }, (_, i) => Math.cos(i * 0.1)), [ms.levels.length, 7, 7, ms.channels]);
      const loss = (xs: tf.Tensor[]) => tf.sum(tf.mul(multiScaleRoiAlign(xs as tf.Tensor4D[], boxesPerImage, ms.imageShapes, opts), up));
      const grads = tf.grads((...xs: tf.Tensor[]) => loss(xs))(feats);
      expect(grads[0]!.shape).toEqual(feats[0]!.shape);
      for (const probe of [feats, other]) {
        const direct = (await loss(probe).data())[0]!;
        let viaGrad = 0;
        for (let l = 0; l < grads.length; l++) viaGrad += (await tf.sum(tf.mul(grads[l]!, probe[l]!)).data())[0]!;
        expect(Math.abs(direct - viaGrad)).toBeLessThan(1e-3 * Math.max(1, Math.abs(direct)));
        expect(Math.abs(direct)).toBeGreaterThan(1);
      }
      tf.dispose([...feats, ...other, up, ...grads]);
    });
  }
});
