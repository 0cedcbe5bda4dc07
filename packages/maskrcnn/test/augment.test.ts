import { decodeRle, polygonsToRle } from '@segmenta/coco';
import { defaultAugmentations, seededRandom } from '@segmenta/contracts';
import { describe, expect, it } from 'vitest';
import { augment, checkAugmentConfig, type AugmentConfig } from '../src/trainer/augment';
import { boxBlur, equalize, flip, gamma, resize } from '../src/trainer/augment-ops';
import { createAugmentPool } from '../src/trainer/augment-pool';
import { augmentSeed, BatchPrefetcher, epochOrder } from '../src/trainer/batches';
import { sharpJpeg, type TrainingSample } from '../src/trainer/data';

// Each augmentation on small hand-made images with hand-computed results; geometry checked against
// COCO rasterisation of the transformed polygon, so masks, boxes and polygons agree.

function image(width: number, height: number, value: (x: number, y: number, c: number) => number, polygons: number[][] = []): TrainingSample {
  const pixels = new Float32Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) for (let c = 0; c < 3; c++) pixels[(y * width + x) * 3 + c] = value(x, y, c);
  const hw = width * height;
  const masks = new Uint8Array(polygons.length * hw);
  const boxes = new Float32Array(polygons.length * 4);
  polygons.forEach((p, k) => {
    masks.set(decodeRle(polygonsToRle([p], height, width)), k * hw);
    const xs = p.filter((_, i) => i % 2 === 0);
    const ys = p.filter((_, i) => i % 2 === 1);
    boxes.set([Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)], 4 * k);
  });
  return { id: 1, fileName: 'x.png', width, height, pixels, target: { boxes, labels: Int32Array.from(polygons, () => 1), masks } };
}

const raster = (p: number[], width: number, height: number) => decodeRle(polygonsToRle([p], height, width));
const channel = (s: TrainingSample, c: number) => Array.from(s.pixels.filter((_, i) => i % 3 === c));
/** Tight box of a mask in the (x1, y1, x2 + 1, y2 + 1) convention of COCO boxes. */
function maskBox(mask: Uint8Array, width: number): number[] {
  let [x1, y1, x2, y2] = [Infinity, Infinity, -1, -1];
  mask.forEach((v, i) => {
    if (!v) return;
    const x = i % width;
    const y = Math.floor(i / width);
    [x1, y1, x2, y2] = [Math.min(x1, x), Math.min(y1, y), Math.max(x2, x), Math.max(y2, y)];
  });
  return [x1, y1, x2 + 1, y2 + 1];
}
/** A random source that replays the given draws. */
const replay = (draws: number[]) => () => draws.shift()!;

describe('photometric operations', () => {
  it('equalize maps a two-level image to 0 and 255 in every channel', () => {
    const out = equalize(image(4, 2, (x) => (x < 2 ? 50 : 200) / 255));
    for (let c = 0; c < 3; c++) expect(channel(out, c)).toEqual([0, 0, 1, 1, 0, 0, 1, 1]);
  });

  it("equalize follows OpenCV's cumulative LUT with ties rounded to even", () => {
    // Levels 10 ×2, 20, 30: scale 255 / (4 − 2) = 127.5 → lut[20] = round(127.5) = 128, lut[30] = 255.
    const levels = [10, 10, 20, 30];
    const out = equalize(image(4, 1, (x) => levels[x]! / 255));
    expect(channel(out, 1).map((v) => Math.round(v * 255))).toEqual([0, 0, 128, 255]);
    // Seven levels: scale 255 / 6 = 42.5 → 42.5, 127.5, 212.5 round to 42, 128, 212 (cvRound).
    const seven = equalize(image(7, 1, (x) => (10 + 10 * x) / 255));
    expect(channel(seven, 2).map((v) => Math.round(v * 255))).toEqual([0, 42, 85, 128, 170, 212, 255]);
    // A single level is left as it is, as cv2.equalizeHist does.
    expect(channel(equalize(image(2, 2, () => 77 / 255)), 0).map((v) => Math.round(v * 255))).toEqual([77, 77, 77, 77]);
  });

  it('gamma raises each pixel to γ', () => {
    const values = [0, 0.25, 0.64, 1];
    const sq = gamma(image(4, 1, (x) => values[x]!), 2);
    expect(channel(sq, 0).map((v) => Number(v.toFixed(6)))).toEqual([0, 0.0625, 0.4096, 1]);
    const root = gamma(image(4, 1, (x) => values[x]!), 0.5);
    expect(channel(root, 2).map((v) => Number(v.toFixed(6)))).toEqual([0, 0.5, 0.8, 1]);
  });

  it('blur spreads an impulse over a (2r+1)² box that sums to 1', () => {
    const impulse = image(9, 9, (x, y, c) => (x === 4 && y === 4 && c === 0 ? 1 : 0));
    for (const r of [1, 2, 3]) {
      const out = channel(boxBlur(impulse, r), 0);
      expect(out.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
      const k = 2 * r + 1;
      out.forEach((v, i) => expect(v).toBeCloseTo(Math.abs((i % 9) - 4) <= r && Math.abs(Math.floor(i / 9) - 4) <= r ? 1 / (k * k) : 0, 6));
    }
    // Reflect-101 borders keep a flat image flat.
    expect(channel(boxBlur(image(5, 3, () => 0.3), 2), 1).every((v) => Math.abs(v - 0.3) < 1e-6)).toBe(true);
  });

  it('JPEG (sharp) changes pixels, keeps the size and roughly the mean', async () => {
    const src = image(40, 32, (x, y, c) => ((x * 7 + y * 13 + c * 50) % 256) / 255);
    const cfg: AugmentConfig = { steps: [{ type: 'oneOf', p: 1, choices: [{ type: 'jpegCompression', qualityMin: 30, qualityMax: 30 }] }], jpeg: sharpJpeg };
    const out = await augment(src, cfg, seededRandom(1));
    expect([out.width, out.height, out.pixels.length]).toEqual([40, 32, src.pixels.length]);
    expect(out.pixels.some((v, i) => Math.abs(v - src.pixels[i]!) > 2 / 255)).toBe(true);
    const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
    expect(Math.abs(mean(out.pixels) - mean(src.pixels))).toBeLessThan(0.02);
  });
});

describe('geometric operations keep image, masks, polygons and boxes together', () => {
  const poly = [2, 1, 6, 1, 6, 4, 2, 4]; // a 4×3 rectangle in an 8×6 image

  it('horizontal flip moves the polygon to x → W − x', () => {
    const src = image(8, 6, (x) => x / 7, [poly]);
    const out = flip(src, true);
    expect(Array.from(out.target.boxes)).toEqual([2, 1, 6, 4]);
    const moved = poly.map((v, i) => (i % 2 === 0 ? 8 - v : v));
    expect(Array.from(out.target.masks)).toEqual(Array.from(raster(moved, 8, 6)));
    expect(channel(out, 0).slice(0, 8).map((v) => Math.round(v * 7))).toEqual([7, 6, 5, 4, 3, 2, 1, 0]);
    // Off-centre: a box at x 1..3 goes to 5..7.
    const off = flip(image(8, 6, () => 0, [[1, 1, 3, 1, 3, 2, 1, 2]]), true);
    expect(Array.from(off.target.boxes)).toEqual([5, 1, 7, 2]);
    expect(Array.from(off.target.masks)).toEqual(Array.from(raster([5, 1, 7, 1, 7, 2, 5, 2], 8, 6)));
  });

  it('vertical flip moves the polygon to y → H − y', () => {
    const out = flip(image(8, 6, () => 0, [[1, 0, 4, 0, 4, 2, 1, 2]]), false);
    expect(Array.from(out.target.boxes)).toEqual([1, 4, 4, 6]);
    expect(Array.from(out.target.masks)).toEqual(Array.from(raster([1, 4, 4, 4, 4, 6, 1, 6], 8, 6)));
    expect(maskBox(out.target.masks, 8)).toEqual([1, 4, 4, 6]);
  });

  it('resize ×2 scales polygon, mask and box exactly; a non-integer resize keeps them within a pixel', () => {
    const src = image(8, 6, (x, y) => (x + y) / 12, [poly]);
    const up = resize(src, 16, 12);
    expect([up.width, up.height, up.pixels.length]).toEqual([16, 12, 16 * 12 * 3]);
    expect(Array.from(up.target.boxes)).toEqual([4, 2, 12, 8]);
    expect(Array.from(up.target.masks)).toEqual(Array.from(raster(poly.map((v) => v * 2), 16, 12)));
    expect(maskBox(up.target.masks, 16)).toEqual([4, 2, 12, 8]);
    // Bilinear on a linear ramp stays a ramp away from the clamped border.
    expect(up.pixels[(5 * 16 + 5) * 3]!).toBeCloseTo((2.25 + 2.25) / 12, 5);

    const odd = resize(image(30, 20, () => 0.5, [[3, 4, 17, 4, 17, 15, 3, 15]]), 45, 32);
    const box = Array.from(odd.target.boxes);
    expect(box.map((v) => Number(v.toFixed(4)))).toEqual([4.5, 6.4, 25.5, 24]);
    maskBox(odd.target.masks, 45).forEach((v, i) => expect(Math.abs(v - box[i]!)).toBeLessThanOrEqual(1));
    expect(odd.pixels.every((v) => Math.abs(v - 0.5) < 1e-6)).toBe(true);
  });
});

describe('the pipeline', () => {
  const scene = image(24, 16, (x, y, c) => ((x * 11 + y * 5 + c * 40) % 200) / 255, [[3, 2, 12, 2, 12, 10, 3, 10]]);
  const full: AugmentConfig = { steps: [...defaultAugmentations, { type: 'resize', p: 1, width: 32, height: 20 }], jpeg: sharpJpeg };

  it('applies a oneOf group with the drawn choice and parameter', async () => {
    const cfg: AugmentConfig = { steps: [{ type: 'oneOf', p: 0.5, choices: [{ type: 'equalize' }, { type: 'gamma', gammaMin: 0.5, gammaMax: 1.5 }] }] };
    // 0.2 < p → applied; 0.7 picks the second choice; 0.25 → γ = 0.5 + 0.25 · 1 = 0.75.
    const out = await augment(scene, cfg, replay([0.2, 0.7, 0.25]));
    expect(Array.from(out.pixels)).toEqual(Array.from(gamma(scene, 0.75).pixels));
    // 0.6 ≥ p → skipped, nothing else drawn.
    expect(await augment(scene, cfg, replay([0.6]))).toBe(scene);
  });

  it('is reproducible: same seed, same output; other seeds differ', async () => {
    const a = await augment(scene, full, seededRandom(9));
    const b = await augment(scene, full, seededRandom(9));
    expect(Array.from(a.pixels)).toEqual(Array.from(b.pixels));
    expect(Array.from(a.target.masks)).toEqual(Array.from(b.target.masks));
    expect([a.width, a.height]).toEqual([32, 20]);
    const others = await Promise.all([1, 2, 3, 4, 5].map((s) => augment(scene, full, seededRandom(s))));
    expect(others.some((o) => o.pixels.some((v, i) => v !== a.pixels[i]))).toBe(true);
    for (const o of others) {
      const box = Array.from(o.target.boxes);
      maskBox(o.target.masks, 32).forEach((v, i) => expect(Math.abs(v - box[i]!)).toBeLessThanOrEqual(1));
    }
  });

  it('refuses a JPEG step without a codec before training starts', () => {
    expect(() => checkAugmentConfig({ steps: defaultAugmentations })).toThrow(/jpegCompression.*no JPEG codec/);
    expect(() => checkAugmentConfig({ steps: defaultAugmentations, jpeg: sharpJpeg })).not.toThrow();
  });
});

describe('batch prefetch', () => {
  const samples = Array.from({ length: 7 }, (_, i) => ({ ...image(12, 10, (x, y, c) => ((x + y * 3 + c + i * 17) % 31) / 31, [[2, 2, 8, 2, 8, 7, 2, 7]]), id: i }));
  const plan = { train: samples, batchSize: 2, accumulation: 1, seed: 3, augment: { steps: defaultAugmentations, jpeg: sharpJpeg } };

  it('gives the same batches in the same order with or without lookahead', async () => {
    const steps = 3 * Math.ceil(7 / 2);
    const collect = async (lookahead: number) => {
      const p = new BatchPrefetcher(plan, lookahead, steps);
      const out: TrainingSample[][][] = [];
      for (let s = 0; s < steps; s++) out.push(await p.take(s));
      return out;
    };
    const [none, two] = [await collect(0), await collect(2)];
    expect(two.map((m) => m.map((b) => b.map((x) => x.id)))).toEqual(none.map((m) => m.map((b) => b.map((x) => x.id))));
    two.forEach((m, s) => m.flat().forEach((x, j) => expect(Array.from(x.pixels)).toEqual(Array.from(none[s]!.flat()[j]!.pixels))));
    // Every image once per epoch, in the epoch's seeded order.
    for (let e = 0; e < 3; e++) expect(two.slice(e * 4, e * 4 + 4).flatMap((m) => m.flat().map((x) => x.id))).toEqual(epochOrder(7, 3, e));
  });

  it('on a worker thread gives exactly the main thread\'s batches', async () => {
    const pool = createAugmentPool({ threads: 2 });
    try {
      const local = new BatchPrefetcher(plan, 0, 4);
      const threaded = new BatchPrefetcher({ ...plan, augment: { ...plan.augment, runner: pool.run } }, 2, 4);
      for (let s = 0; s < 4; s++) {
        const [a, b] = [(await local.take(s)).flat(), (await threaded.take(s)).flat()];
        expect(b.map((x) => x.id)).toEqual(a.map((x) => x.id));
        b.forEach((x, j) => {
          expect(Array.from(x.pixels)).toEqual(Array.from(a[j]!.pixels));
          expect(Array.from(x.target.masks)).toEqual(Array.from(a[j]!.target.masks));
          expect(Array.from(x.target.boxes)).toEqual(Array.from(a[j]!.target.boxes));
        });
      }
      // Its seeds are the ones the main thread draws with.
      const first = (await new BatchPrefetcher({ ...plan, augment: { ...plan.augment, runner: pool.run } }, 0, 1).take(0)).flat()[0]!;
      expect(Array.from(first.pixels)).toEqual(Array.from((await augment(samples[epochOrder(7, 3, 0)[0]!]!, plan.augment, seededRandom(augmentSeed(3, 0, 0)))).pixels));
    } finally {
      await pool.close();
    }
    await expect(pool.run(samples[0]!, defaultAugmentations, 1)).rejects.toThrow(/closed/);
  });

  it('reports a sample the thread cannot augment, and keeps serving the next ones', async () => {
    const pool = createAugmentPool();
    try {
      const jpegOnly: AugmentConfig['steps'] = [{ type: 'oneOf', p: 1, choices: [{ type: 'jpegCompression', qualityMin: 70, qualityMax: 70 }] }];
      const broken = { ...samples[0]!, width: 13 }; // pixels no longer match width × height × 3
      await expect(pool.run(broken, jpegOnly!, 1)).rejects.toThrow(/augmentation failed/);
      const ok = await pool.run(samples[1]!, jpegOnly!, 1);
      expect(ok.pixels.length).toBe(samples[1]!.pixels.length);
    } finally {
      await pool.close();
    }
  });

  it('surfaces a failing batch to the step that takes it, and an untaken one crashes nothing', async () => {
    const steps: AugmentConfig['steps'] = [{ type: 'oneOf', p: 1, choices: [{ type: 'jpegCompression', qualityMin: 50, qualityMax: 60 }] }];
    const broken = { ...plan, augment: { steps, jpeg: () => Promise.reject(new Error('codec down')) } };
    const p = new BatchPrefetcher(broken, 2, 4);
    await expect(p.take(0)).rejects.toThrow(/codec down/);
  });
});
