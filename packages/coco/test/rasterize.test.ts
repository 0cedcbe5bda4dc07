import { describe, expect, it } from 'vitest';
import { maskToPolygons, simplifyRing } from '../src/contours';
import { polygonsArea } from '../src/geometry';
import { instanceRasterArea, instanceToRle } from '../src/instance-mask';
import { bboxToRle, polygonsToRle, ringToRle, segmentationToRle } from '../src/rasterize';
import { hasHoles, ringNesting } from '../src/ring-nesting';
import { decodeRle, encodeMask, rleArea, rleToBbox } from '../src/rle';

function pixels(mask: Uint8Array, w: number): string[] {
  const out: string[] = [];
  mask.forEach((v, i) => v && out.push(`${i % w},${Math.floor(i / w)}`));
  return out;
}

describe('polygon rasterisation (pycocotools frPoly semantics)', () => {
  it('fills exactly the pixels of a rectangle with integer corners, either winding', () => {
    const cw = [10, 10, 30, 10, 30, 40, 10, 40];
    const ccw = [10, 40, 30, 40, 30, 10, 10, 10];
    for (const ring of [cw, ccw]) {
      const rle = ringToRle(ring, 50, 45);
      expect(rleArea(rle)).toBe(600);
      expect(rleToBbox(rle)).toEqual([10, 10, 20, 30]);
    }
    expect(decodeRle(ringToRle(cw, 50, 45))).toEqual(decodeRle(ringToRle(ccw, 50, 45)));
  });

  it('includes a pixel when its centre is inside: triangle worked by hand', () => {
    // Hypotenuse x + y = 4.2. At column c the edge is at y = 3.7 - c, so rows with centre r + .5
    // below it are in: 4, 3, 2, 1 pixels in columns 0..3 (the upsampled walk rounds the same way).
    const mask = decodeRle(ringToRle([0, 0, 4.2, 0, 0, 4.2], 6, 6));
    const expected: string[] = [];
    for (let y = 0; y < 6; y++) for (let x = 0; x < 6; x++) if (x + y <= 3) expected.push(`${x},${y}`);
    expect(pixels(mask, 6)).toEqual(expected);
  });

  it('clips polygons that leave the image', () => {
    const rle = ringToRle([-5, -5, 3, -5, 3, 2, -5, 2], 4, 6);
    expect(pixels(decodeRle(rle), 6)).toEqual(['0,0', '1,0', '2,0', '0,1', '1,1', '2,1']);
  });

  it('unites the rings of one instance and stays close to the shoelace area for large shapes', () => {
    const a = [2, 2, 12, 2, 12, 12, 2, 12];
    const b = [8, 8, 20, 8, 20, 20, 8, 20]; // overlaps a in a 4x4 square
    expect(rleArea(polygonsToRle([a, b], 30, 30))).toBe(100 + 144 - 16);
    const n = 40;
    const circle: number[] = [];
    for (let i = 0; i < n; i++) circle.push(50 + 30 * Math.cos((2 * Math.PI * i) / n), 50 + 30 * Math.sin((2 * Math.PI * i) / n));
    const area = rleArea(polygonsToRle([circle], 100, 100));
    expect(Math.abs(area - polygonsArea([circle])) / polygonsArea([circle])).toBeLessThan(0.02);
    expect(rleArea(polygonsToRle([], 5, 5))).toBe(0);
  });

  it('gives an instance\'s raster area straight from the runs: one ring, overlapping ones, a ring past the edge', () => {
    const star: number[] = [];
    for (let i = 0; i < 30; i++) star.push(40 + (i % 2 ? 12 : 30) * Math.cos((Math.PI * i) / 15), 35 + (i % 2 ? 12 : 30) * Math.sin((Math.PI * i) / 15));
    for (const rings of [[star], [[2, 2, 12, 2, 12, 12, 2, 12], [8, 8, 20, 8, 20, 20, 8, 20]], [[-5, -5, 90, 3, 40, 90]]]) {
      expect(instanceRasterArea(rings, 70, 80)).toBe(rleArea(polygonsToRle(rings, 70, 80)));
    }
  });
});

describe('segmentationToRle (pycocotools annToRLE)', () => {
  it('reads boxes, polygons and uncompressed RLE', () => {
    const box = bboxToRle([2, 3, 4, 5], 10, 12);
    expect(rleArea(box)).toBe(20);
    expect(rleToBbox(box)).toEqual([2, 3, 4, 5]);
    // pycocotools takes a first ring of exactly four numbers as [x, y, w, h], not as two points.
    expect(segmentationToRle([[2, 3, 4, 5]], 10, 12)).toEqual(box);
    expect(segmentationToRle([[2, 3, 6, 3, 6, 8, 2, 8]], 10, 12)).toEqual(box);
    const mask = decodeRle(box);
    const counts: number[] = [];
    for (let x = 0, prev = 0, run = 0; x <= 12; x++) {
      // Column-major runs written out by hand from the decoded mask, to feed the uncompressed form.
      for (let y = 0; y < 10 && x < 12; y++) {
        const v = mask[y * 12 + x]!;
        if (v !== prev) { counts.push(run); run = 0; prev = v; }
        run++;
      }
      if (x === 12) counts.push(run);
    }
    expect(segmentationToRle({ size: [10, 12], counts }, 10, 12)).toEqual(box);
  });
});

describe('mask → polygons', () => {
  function rng(seed: number): () => number {
    let s = seed >>> 0;
    return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  }

  it('traces a block along its pixel corners', () => {
    const h = 6, w = 7;
    const mask = new Uint8Array(h * w);
    for (let y = 1; y < 4; y++) for (let x = 2; x < 6; x++) mask[y * w + x] = 1;
    const rings = maskToPolygons(mask, h, w);
    expect(rings).toHaveLength(1);
    expect(polygonsArea(rings)).toBe(12);
    const xs = rings[0]!.filter((_, i) => i % 2 === 0);
    const ys = rings[0]!.filter((_, i) => i % 2 === 1);
    expect([Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)]).toEqual([2, 6, 1, 4]);
    expect(rings[0]!.length).toBe(8); // only the four corners
  });

  it('rasterises back to exactly the same pixels for random masks, holes and islands in holes included', () => {
    const rand = rng(3);
    let holes = 0;
    for (let trial = 0; trial < 300; trial++) {
      const h = 5 + Math.floor(rand() * 30), w = 5 + Math.floor(rand() * 30);
      // Rectangles drawn and erased, then speckle: notches, holes, islands in holes, several
      // components, diagonal contacts between parts and between a hole and the outside.
      const mask = new Uint8Array(h * w);
      for (let r = 0; r < 6; r++) {
        const x0 = Math.floor(rand() * w), y0 = Math.floor(rand() * h);
        const x1 = Math.min(w, x0 + 1 + Math.floor(rand() * 12)), y1 = Math.min(h, y0 + 1 + Math.floor(rand() * 12));
        const v = r % 3 === 1 ? 0 : 1;
        for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) mask[y * w + x] = v;
      }
      for (let k = 0; k < (h * w) / 12; k++) {
        const i = Math.floor(rand() * h * w);
        mask[i] = mask[i] ? 0 : 1;
      }
      const rings = maskToPolygons(mask, h, w);
      if (hasHoles(rings)) holes++;
      expect(instanceToRle(rings, h, w)).toEqual(encodeMask(mask, h, w));
    }
    // The generator must actually exercise holes for the comparison to mean something.
    expect(holes).toBeGreaterThan(100);
  });

  it('traces holes and islands in holes as rings of their own, splits diagonal contacts, drops speckle', () => {
    const w = 9, h = 9;
    const mask = new Uint8Array(h * w);
    for (let y = 0; y < 7; y++) for (let x = 0; x < 7; x++) mask[y * w + x] = 1;
    for (let y = 1; y < 6; y++) for (let x = 1; x < 6; x++) mask[y * w + x] = 0; // a 5×5 hole
    mask[3 * w + 3] = 1; // an island in it
    mask[7 * w + 7] = 1; // touches the block only at a corner
    mask[8 * w + 8] = 1; // a speck
    const rings = maskToPolygons(mask, h, w, { minPixels: 2 });
    // The block's outline and its hole, then the island (1 px, under minPixels: dropped with the speck).
    expect(rings.map((r) => polygonsArea([r]))).toEqual([49, 25]);
    expect(ringNesting(rings).depth).toEqual([0, 1]);
    expect(instanceRasterArea(rings, h, w)).toBe(24);
    const all = maskToPolygons(mask, h, w);
    expect(all.map((r) => polygonsArea([r]))).toEqual([49, 25, 1, 1, 1]);
    expect(ringNesting(all).depth).toEqual([0, 1, 2, 0, 0]);
    expect(instanceToRle(all, h, w)).toEqual(encodeMask(mask, h, w));
  });

  it('fills holes smaller than minPixels', () => {
    const w = 6, h = 6;
    const mask = new Uint8Array(h * w).fill(1);
    mask[2 * w + 2] = 0;
    expect(maskToPolygons(mask, h, w, { minPixels: 2 })).toHaveLength(1);
    expect(maskToPolygons(mask, h, w)).toHaveLength(2);
  });

  it('simplifies within tolerance', () => {
    const h = 60, w = 60;
    const mask = new Uint8Array(h * w);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if ((x - 30) ** 2 + (y - 30) ** 2 < 20 ** 2) mask[y * w + x] = 1;
    const exact = maskToPolygons(mask, h, w)[0]!;
    const simple = maskToPolygons(mask, h, w, { tolerance: 1.5 })[0]!;
    expect(simple.length).toBeLessThan(exact.length / 2);
    expect(simple.length).toBeGreaterThanOrEqual(8);
    const a0 = rleArea(encodeMask(mask, h, w));
    expect(Math.abs(rleArea(polygonsToRle([simple], h, w)) - a0) / a0).toBeLessThan(0.05);
    // Collinear points vanish at any positive tolerance.
    expect(simplifyRing([0, 0, 1, 0, 2, 0, 2, 2, 0, 2], 0.01)).toEqual([0, 0, 2, 0, 2, 2, 0, 2]);
  });
});
