// Anchors, box coding, box utilities and NMS against torchvision 0.14 values
// (fixtures/make_ops_fixtures.py -> test/fixtures/ops/*.json).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-cpu';
import { cellAnchors, generateAnchors, numAnchorsPerLocation, roundHalfEven } from '../src/ops/anchors';
import { decodeBoxes, decodeBoxesTensor, encodeBoxes, type BoxWeights } from '../src/ops/box-coder';
import { boxIou, clipBoxesToImage, removeSmallBoxes, selectBoxes } from '../src/ops/boxes';
import { argsortDescending, batchedNms, nms } from '../src/ops/nms';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const load = (name: string): any =>
  JSON.parse(readFileSync(new URL(`./fixtures/ops/${name}`, import.meta.url), 'utf8'));

/** Largest |a - b| / max(1, |b|): float32 box coordinates reach hundreds, so the 1e-5 bound is relative. */
function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < b.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  return m;
}

const weightsOf = (key: string): BoxWeights => JSON.parse(key.replace('(', '[').replace(')', ']')) as BoxWeights;

describe('anchors', () => {
  const fx = load('anchors.json');
  it('round half to even like torch.round', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, -22.5, 16.5, 3.2].map(roundHalfEven)).toEqual([0, 2, 2, -0, -2, -22, 16, 3]);
  });
  for (const c of fx.cases) {
    it(`match torchvision for image ${c.imageSize} and ${c.featureSizes.length} levels`, () => {
      const cfg = { sizes: c.sizes, aspectRatios: c.ratios };
      const { boxes, perLevel } = generateAnchors(cfg, c.imageSize, c.featureSizes);
      expect(Array.from(boxes)).toEqual(c.anchors);
      const per = numAnchorsPerLocation(cfg);
      expect(perLevel).toEqual(c.featureSizes.map(([h, w]: number[], i: number) => h! * w! * per[i]!));
    });
  }
  it('cell anchors are ratio-major', () => {
    const a = cellAnchors([32, 64], [0.5, 1]);
    expect(Array.from(a.subarray(0, 4))).toEqual([-23, -11, 23, 11]);
    expect(Array.from(a.subarray(8, 12))).toEqual([-16, -16, 16, 16]);
  });
});

describe('box coder', () => {
  const fx = load('box_coder.json');
  const ref = Float32Array.from(fx.reference);
  const prop = Float32Array.from(fx.proposals);
  const codes = Float32Array.from(fx.codes);
  for (const key of Object.keys(fx.encoded)) {
    it(`encode with weights ${key}`, () => {
      expect(maxRelErr(encodeBoxes(ref, prop, weightsOf(key)), fx.encoded[key])).toBeLessThan(1e-5);
    });
    it(`decode with weights ${key} (incl. clamped dw/dh)`, () => {
      expect(maxRelErr(decodeBoxes(codes, prop, weightsOf(key)), fx.decoded[key])).toBeLessThan(1e-5);
    });
  }
  it('decode inverts encode', () => {
    const w: BoxWeights = [10, 10, 5, 5];
    expect(maxRelErr(decodeBoxes(encodeBoxes(ref, prop, w), prop, w), ref)).toBeLessThan(1e-5);
  });
  for (const backend of ['cpu', 'wasm']) {
    it(`tensor decode on ${backend}`, async () => {
      await tf.setBackend(backend);
      await tf.ready();
      for (const key of Object.keys(fx.decoded)) {
        const n = prop.length / 4;
        const out = decodeBoxesTensor(tf.tensor2d(codes, [n, codes.length / n]), tf.tensor2d(prop, [n, 4]), weightsOf(key));
        expect(out.shape).toEqual([n, codes.length / n / 4, 4]);
        expect(maxRelErr(await out.data(), fx.decoded[key])).toBeLessThan(1e-5);
        out.dispose();
      }
    });
  }
});

describe('boxes', () => {
  const fx = load('boxes.json');
  const clipped = clipBoxesToImage(Float32Array.from(fx.boxes), fx.imageSize);
  // exact, compared numerically: torch keeps -0.0 where the input was -0.0, which toEqual would tell apart
  it('clip to image', () => expect(maxRelErr(clipped, Float32Array.from(fx.clipped))).toBe(0));
  it('remove small boxes', () => expect(Array.from(removeSmallBoxes(clipped, 1e-3))).toEqual(fx.keep));
  it('box iou', () => {
    const iou = boxIou(selectBoxes(clipped, fx.keep), Float32Array.from(fx.boxes2));
    expect(maxRelErr(iou, fx.iou)).toBeLessThan(1e-6);
  });
});

describe('nms', () => {
  const fx = load('nms.json');
  it('argsort is descending and stable', () => {
    expect(Array.from(argsortDescending([0.5, 0.9, 0.5, 0.9]))).toEqual([1, 3, 0, 2]);
  });
  fx.cases.forEach((c: { boxes: number[]; scores: number[]; iou: number; keep: number[] }, i: number) => {
    it(`nms case ${i} (${c.scores.length} boxes, iou ${c.iou}, tied scores)`, () => {
      expect(Array.from(nms(Float32Array.from(c.boxes), Float32Array.from(c.scores), c.iou))).toEqual(c.keep);
    });
  });
  const [small, large] = fx.batched;
  it(`batched nms over ${small.scores.length} boxes (coordinate-offset path)`, () => {
    const keep = batchedNms(Float32Array.from(small.boxes), Float32Array.from(small.scores), small.idxs, small.iou);
    expect(Array.from(keep)).toEqual(small.keep);
  });
  it(`batched nms over ${large.scores.length} boxes (per-category path)`, () => {
    const keep = Array.from(batchedNms(Float32Array.from(large.boxes), Float32Array.from(large.scores), large.idxs, large.iou));
    // torchvision orders this path with an unstable sort, so exactly tied scores may come in another order:
    // the kept set and the score sequence must match exactly.
    expect([...keep].sort((a, b) => a - b)).toEqual([...large.keep].sort((a: number, b: number) => a - b));
    expect(keep.map((i) => large.scores[i])).toEqual(large.keep.map((i: number) => large.scores[i]));
  });
  it('batched nms never suppresses across categories', () => {
    const b = new Float32Array([0, 0, 10, 10, 0, 0, 10, 10, 0, 0, 10, 10]);
    expect(Array.from(batchedNms(b, [0.9, 0.8, 0.7], [0, 1, 0], 0.5))).toEqual([0, 1]);
    expect(batchedNms(new Float32Array(0), [], [], 0.5).length).toBe(0);
  });
});
