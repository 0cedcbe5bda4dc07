// The hole rule for a stored instance's rings (src/ring-nesting.ts, src/instance-mask.ts): a ring
// inside another ring of the instance is a hole, a ring inside a hole is an island again, rings that
// overlap without nesting are united.

import { describe, expect, it } from 'vitest';
import { instanceRasterArea, instanceToRle } from '../src/instance-mask';
import { polygonsToRle } from '../src/rasterize';
import { hasHoles, pointInInstance, ringInside, ringNesting } from '../src/ring-nesting';
import { decodeRle, rleArea } from '../src/rle';

const rect = (x0: number, y0: number, x1: number, y1: number) => [x0, y0, x1, y0, x1, y1, x0, y1];

/** Pixels of an h×w mask whose centres satisfy `inside`, as a row-major 0/1 array. */
function expected(h: number, w: number, inside: (x: number, y: number) => boolean): Uint8Array {
  const m = new Uint8Array(h * w);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) m[y * w + x] = inside(x + 0.5, y + 0.5) ? 1 : 0;
  return m;
}
/** Inside the rectangle ring rect(x0, y0, x1, y1). */
const inRect = (x: number, y: number, r: number[]) => x > r[0]! && x < r[2]! && y > r[1]! && y < r[5]!;

describe('ringInside', () => {
  it('says whether one ring lies inside another, and only when one has room inside the other', () => {
    const outer = rect(0, 0, 10, 10);
    expect(ringInside(rect(2, 2, 5, 5), outer)).toBe(true);
    expect(ringInside(outer, rect(2, 2, 5, 5))).toBe(false);
    expect(ringInside(rect(8, 2, 12, 5), outer)).toBe(false); // overlaps, sticks out
    expect(ringInside(rect(20, 20, 25, 25), outer)).toBe(false); // apart
    expect(ringInside(outer, outer)).toBe(false); // the same ring twice is a union, not a hole
    expect(ringInside(rect(0, 2, 5, 5), outer)).toBe(true); // touching the outer edge from inside
  });

  it('sees a ring leave through a concave notch even when every vertex of it is inside', () => {
    // A "U" whose notch (x 6..7, y 0..6) the rectangle's top edge crosses at y = 3; its vertices
    // and edge midpoints all lie inside the U.
    const u = [0, 0, 6, 0, 6, 6, 7, 6, 7, 0, 10, 0, 10, 10, 0, 10];
    expect(ringInside(rect(1, 3, 9, 8), u)).toBe(false);
    expect(ringInside(rect(1, 7, 9, 9), u)).toBe(true);
    // Touching without crossing: through two corners of the U and across its notch, so outside there.
    expect(ringInside([2, 8, 6, 0, 7, 0, 8, 8], u)).toBe(false);
    // Resting on the notch's floor from inside.
    expect(ringInside([2, 8, 6, 6, 7, 6, 8, 8], u)).toBe(true);
  });
});

describe('ringNesting', () => {
  it('gives depth by nesting and the ring each hole is cut from', () => {
    const rings = [rect(0, 0, 30, 30), rect(5, 5, 25, 25), rect(10, 10, 20, 20), rect(12, 12, 14, 14), rect(40, 0, 50, 10)];
    expect(ringNesting(rings)).toEqual({ depth: [0, 1, 2, 3, 0], parent: [-1, 0, 1, 2, -1] });
    expect(hasHoles(rings)).toBe(true);
    expect(hasHoles([rect(0, 0, 10, 10), rect(5, 5, 15, 15)])).toBe(false);
  });

  it('cuts a hole inside two overlapping outer rings from the smaller one', () => {
    const rings = [rect(5, 0, 30, 20), rect(0, 0, 20, 20), rect(8, 8, 12, 12)];
    expect(ringNesting(rings)).toEqual({ depth: [0, 0, 1], parent: [-1, -1, 1] });
  });
});

describe('instance masks', () => {
  const H = 40, W = 60;

  it('leaves out a hole, fills an island in it, and unites overlapping rings', () => {
    const outer = rect(2, 2, 30, 30), hole = rect(8, 8, 24, 24), island = rect(12, 12, 18, 18), other = rect(26, 20, 50, 35);
    const rings = [outer, hole, island, other];
    const want = expected(H, W, (x, y) => (inRect(x, y, outer) && !inRect(x, y, hole)) || inRect(x, y, island) || inRect(x, y, other));
    const rle = instanceToRle(rings, H, W);
    expect(decodeRle(rle)).toEqual(want);
    expect(instanceRasterArea(rings, H, W)).toBe(want.reduce((a, v) => a + v, 0));
  });

  it('removes the union of overlapping holes, and a ring over a hole fills it (union)', () => {
    const outer = rect(0, 0, 40, 30), h1 = rect(5, 5, 20, 20), h2 = rect(15, 10, 30, 25), over = rect(25, 12, 55, 18);
    const want = expected(H, W, (x, y) => (inRect(x, y, outer) && !inRect(x, y, h1) && !inRect(x, y, h2)) || inRect(x, y, over));
    expect(decodeRle(instanceToRle([outer, h1, h2, over], H, W))).toEqual(want);
  });

  it('is pycocotools\' union for rings without nesting', () => {
    const rings = [[3, 3, 30, 5, 20, 35], rect(10, 10, 40, 20), rect(45, 2, 55, 8)];
    expect(instanceToRle(rings, H, W)).toEqual(polygonsToRle(rings, H, W));
    expect(instanceRasterArea([], H, W)).toBe(0);
    expect(rleArea(instanceToRle([], H, W))).toBe(0);
  });

  it('answers point queries by the same rule', () => {
    const rings = [rect(0, 0, 30, 30), rect(5, 5, 25, 25), rect(10, 10, 20, 20), rect(28, 10, 40, 20)];
    expect(pointInInstance(rings, 2, 2)).toBe(true);
    expect(pointInInstance(rings, 7, 7)).toBe(false); // in the hole
    expect(pointInInstance(rings, 15, 15)).toBe(true); // on the island
    expect(pointInInstance(rings, 27, 15)).toBe(true); // the overlapping ring
    expect(pointInInstance(rings, 35, 15)).toBe(true);
    expect(pointInInstance(rings, 45, 15)).toBe(false);
  });
});
