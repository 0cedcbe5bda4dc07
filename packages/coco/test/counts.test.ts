// The run-length helpers evaluation works on agree with the string-based RLE functions.

import { describe, expect, it } from 'vitest';
import { polygonReach } from '../src/eval/iou';
import { segmentationCounts, segmentationToRle } from '../src/rasterize';
import { countsArea, countsIntersection, countsToBbox, encodeMask, mergeCounts, mergeRles, rleArea, rleCounts, rleIntersectionUnion, rleToBbox, stringToCountsArray } from '../src/rle';

function randomMask(h: number, w: number, density: number, seed: number): Uint8Array {
  let s = seed;
  const m = new Uint8Array(h * w);
  // Blocky masks: runs that cross column boundaries as well as isolated pixels.
  for (let i = 0; i < m.length; i++) {
    s = (s * 16807) % 2147483647;
    m[i] = s / 2147483647 < density ? 1 : 0;
  }
  return m;
}

describe('run-length helpers', () => {
  it('intersect, measure and box masks as the RLE functions do', () => {
    for (const [h, w] of [[1, 1], [7, 3], [31, 40], [64, 17]] as const) {
      for (const [da, db] of [[0, 0.5], [0.3, 0.3], [0.9, 0.1], [1, 0.6]]) {
        const a = encodeMask(randomMask(h, w, da!, 7 + h), h, w);
        const b = encodeMask(randomMask(h, w, db!, 11 + w), h, w);
        const ca = stringToCountsArray(a.counts);
        const cb = stringToCountsArray(b.counts);
        expect(Array.from(ca)).toEqual(rleCounts(a));
        expect(countsIntersection(ca, cb)).toBe(rleIntersectionUnion(a, b).intersection);
        expect(countsArea(ca)).toBe(rleArea(a));
        expect(countsToBbox(ca, h, w)).toEqual(rleToBbox(a));
        expect(Array.from(mergeCounts([ca, cb]))).toEqual(rleCounts(mergeRles([a, b])));
      }
    }
  });

  it('gives the counts of segmentationToRle for polygons, boxes and both RLE forms, and rejects bad RLE', () => {
    const h = 40, w = 50;
    const rle = segmentationToRle([[3, 3, 30, 5, 20, 35]], h, w);
    const segs = [[[3, 3, 30, 5, 20, 35]], [[1, 1, 10, 8], [20, 20, 5, 5]], [[2, 2, 9, 2, 9, 9], [5, 5, 30, 5, 30, 30]], rle, { size: [h, w] as [number, number], counts: rleCounts(rle) }, []];
    for (const seg of segs) {
      const counts = segmentationCounts(seg, h, w);
      expect(counts).toBeInstanceOf(Uint32Array);
      expect(Array.from(counts)).toEqual(rleCounts(segmentationToRle(seg, h, w)));
    }
    expect(() => segmentationCounts({ size: [h, w], counts: [5, 5] }, h, w)).toThrow(/sum to 10/);
    expect(() => segmentationCounts(rle, h + 1, w)).toThrow(/differs from the image/);
  });

  it('never finds a rasterised pixel outside polygonReach (segm evaluation skips masks by it)', () => {
    let s = 12345;
    const rand = () => (s = (s * 16807) % 2147483647) / 2147483647;
    for (let i = 0; i < 3000; i++) {
      const h = 1 + Math.floor(rand() * 40), w = 1 + Math.floor(rand() * 40);
      const ring: number[] = [];
      const digits = [1, 10, 1000][i % 3]!;
      for (let k = 3 + Math.floor(rand() * 6); k > 0; k--) ring.push(Math.round((rand() * 1.6 - 0.3) * w * digits) / digits, Math.round((rand() * 1.6 - 0.3) * h * digits) / digits);
      const [x0, y0, x1, y1] = polygonReach([ring])!;
      const counts = segmentationCounts([ring], h, w);
      if (countsArea(counts) === 0) continue;
      const [bx, by, bw, bh] = countsToBbox(counts, h, w);
      // Pixel (x, y) covers [x, x + 1) × [y, y + 1): strictly inside the reach, as the IoU skip assumes.
      expect(bx > x0 && bx + bw < x1 && by > y0 && by + bh < y1, JSON.stringify({ ring, h, w })).toBe(true);
    }
  });
});
