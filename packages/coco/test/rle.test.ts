import { describe, expect, it } from 'vitest';
import {
  compressRle,
  countsToString,
  decodeRle,
  encodeMask,
  maskToCounts,
  mergeRles,
  rleArea,
  rleIou,
  rleToBbox,
  stringToCounts,
} from '../src/rle';

/** Small deterministic PRNG so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomMask(h: number, w: number, density: number, rand: () => number): Uint8Array {
  const m = new Uint8Array(h * w);
  for (let i = 0; i < h * w; i++) m[i] = rand() < density ? 1 : 0;
  return m;
}

function bruteBbox(m: Uint8Array, h: number, w: number): number[] {
  let x0 = w, y0 = h, x1 = -1, y1 = -1;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      if (m[y * w + x]) {
        x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
      }
  return x1 < 0 ? [0, 0, 0, 0] : [x0, y0, x1 - x0 + 1, y1 - y0 + 1];
}

describe('COCO RLE strings (derived by hand from the maskApi algorithm)', () => {
  it('encodes a 3x2 mask column-major, starting with zeros', () => {
    // Rows: [0 1] [1 1] [0 0]. Column 0 top-down is 0,1,0; column 1 is 1,1,0.
    const mask = Uint8Array.from([0, 1, 1, 1, 0, 0]);
    expect(maskToCounts(mask, 3, 2)).toEqual([1, 1, 1, 2, 1]);
    // 4th count is stored as 2 - 1 = 1, 5th as 1 - 1 = 0.
    expect(encodeMask(mask, 3, 2)).toEqual({ size: [3, 2], counts: '11110' });
  });

  it('writes multi-group and negative deltas', () => {
    // 200 = 6*32 + 8 → '8|0x20'+48 = 'X', then '6'. 50 = 1*32 + 18 → 18 has the sign bit, so a
    // second group is needed: 'b', '1'. 4th: 100 - 200 = -100 → groups 28 (more) and 28 (last) → 'lL'.
    expect(countsToString([0, 200, 50, 100])).toBe('0X6b1lL');
    expect(countsToString([0, 5, 10, 2])).toBe('05:M'); // 2 - 5 = -3 → 29 → 'M'
    expect(countsToString([16])).toBe('`0'); // 16 has bit 0x10 set, so it needs a 0 group after it
    expect(stringToCounts('0X6b1lL')).toEqual([0, 200, 50, 100]);
    expect(stringToCounts('05:M')).toEqual([0, 5, 10, 2]);
    expect(stringToCounts('`0')).toEqual([16]);
  });

  it('starts with a zero-length run when the first pixel is set', () => {
    const mask = Uint8Array.from([1, 0, 0, 1]); // 2x2: column 0 is 1,0; column 1 is 0,1
    expect(maskToCounts(mask, 2, 2)).toEqual([0, 1, 2, 1]);
    expect(Array.from(decodeRle(encodeMask(mask, 2, 2)))).toEqual([1, 0, 0, 1]);
  });

  it('decodes uncompressed counts and rejects counts that do not cover the image', () => {
    const rle = { size: [3, 2] as [number, number], counts: [1, 1, 1, 2, 1] };
    expect(Array.from(decodeRle(rle))).toEqual([0, 1, 1, 1, 0, 0]);
    expect(compressRle(rle).counts).toBe('11110');
    expect(() => decodeRle({ size: [3, 3], counts: [1, 1, 1, 2, 1] })).toThrow(/sum to 6/);
    expect(() => decodeRle({ size: [3, 2], counts: '1~' })).toThrow();
  });
});

describe('RLE round trips and properties on random masks', () => {
  const rand = rng(7);
  const sizes: [number, number][] = [[1, 1], [1, 7], [7, 1], [5, 3], [13, 11], [31, 17], [64, 45]];
  for (const [h, w] of sizes) {
    for (const density of [0, 0.05, 0.5, 0.97, 1]) {
      it(`${h}x${w} density ${density}`, () => {
        const m = randomMask(h, w, density, rand);
        const rle = encodeMask(m, h, w);
        expect(decodeRle(rle)).toEqual(m);
        expect(stringToCounts(rle.counts)).toEqual(maskToCounts(m, h, w));
        expect(rleArea(rle)).toBe(m.reduce((a, v) => a + v, 0));
        expect(rleToBbox(rle)).toEqual(bruteBbox(m, h, w));
      });
    }
  }

  it('handles counts beyond 2^31 in the string codec', () => {
    const counts = [3_000_000_000, 5, 1, 4_000_000_000];
    expect(stringToCounts(countsToString(counts))).toEqual(counts);
  });
});

describe('merge and IoU', () => {
  const rand = rng(42);
  it('matches pixelwise OR / AND and IoU', () => {
    for (let trial = 0; trial < 20; trial++) {
      const h = 3 + Math.floor(rand() * 20);
      const w = 3 + Math.floor(rand() * 20);
      const a = randomMask(h, w, 0.4, rand);
      const b = randomMask(h, w, 0.4, rand);
      const c = randomMask(h, w, 0.6, rand);
      const ra = encodeMask(a, h, w), rb = encodeMask(b, h, w), rc = encodeMask(c, h, w);
      const or = a.map((v, i) => v | b[i]! | c[i]!);
      const and = a.map((v, i) => v & b[i]! & c[i]!);
      expect(decodeRle(mergeRles([ra, rb, rc]))).toEqual(or);
      expect(decodeRle(mergeRles([ra, rb, rc], true))).toEqual(and);
      let inter = 0, uni = 0, areaA = 0;
      a.forEach((v, i) => { inter += v & b[i]!; uni += v | b[i]!; areaA += v; });
      expect(rleIou(ra, rb)).toBeCloseTo(inter / uni, 12);
      expect(rleIou(ra, rb, true)).toBeCloseTo(inter === 0 ? 0 : inter / areaA, 12);
    }
  });

  it('scores a detection inside a crowd region by its own area', () => {
    const h = 10, w = 10;
    const crowd = new Uint8Array(h * w).fill(1);
    const det = new Uint8Array(h * w);
    for (let y = 2; y < 4; y++) for (let x = 2; x < 5; x++) det[y * w + x] = 1;
    const rc = encodeMask(crowd, h, w), rd = encodeMask(det, h, w);
    expect(rleIou(rd, rc)).toBeCloseTo(6 / 100, 12);
    expect(rleIou(rd, rc, true)).toBe(1);
  });

  it('refuses masks of different sizes and merges a single RLE unchanged', () => {
    const a = encodeMask(new Uint8Array(6), 2, 3);
    expect(() => rleIou(a, encodeMask(new Uint8Array(6), 3, 2))).toThrow(/sizes/);
    expect(mergeRles([a])).toEqual(a);
  });
});
