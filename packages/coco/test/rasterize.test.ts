import { describe, expect, it } from 'vitest';
import { maskToPolygons, simplifyRing } from '../src/contours';
import { polygonsArea } from '../src/geometry';
import { bboxToRle, polygonsRasterArea, polygonsToRle, ringToRle, segmentationToRle } from '../src/rasterize';
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

  it('gives the same raster area without building the RLE, for one ring, several, and a ring past the edge', () => {
    const star: number[] = [];
    for (let i = 0; i < 30; i++) star.push(40 + (i % 2 ? 12 : 30) * Math.cos((Math.PI * i) / 15), 35 + (i % 2 ? 12 : 30) * Math.sin((Math.PI * i) / 15));
    for (const rings of [[star], [[2, 2, 12, 2, 12, 12, 2, 12], [8, 8, 20, 8, 20, 20, 8, 20]], [[-5, -5, 90, 3, 40, 90]]]) {
      expect(polygonsRasterArea(rings, 70, 80)).toBe(rleArea(polygonsToRle(rings, 70, 80)));
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

  it('rasterises back to the same pixels for random hole-free blobs', () => {
    const rand = rng(3);
    for (let trial = 0; trial < 30; trial++) {
      const h = 5 + Math.floor(rand() * 25), w = 5 + Math.floor(rand() * 25);
      // Union of random rectangles: shapes with notches, several components, diagonal contacts.
      const mask = new Uint8Array(h * w);
      for (let r = 0; r < 4; r++) {
        const x0 = Math.floor(rand() * w), y0 = Math.floor(rand() * h);
        const x1 = Math.min(w, x0 + 1 + Math.floor(rand() * 8)), y1 = Math.min(h, y0 + 1 + Math.floor(rand() * 8));
        for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) mask[y * w + x] = 1;
      }
      const back = decodeRle(polygonsToRle(maskToPolygons(mask, h, w), h, w));
      // Rectangles can enclose background; COCO rings cannot cut holes, so compare hole-filled masks.
      expect(pixels(back, w)).toEqual(pixels(fillHoles(mask, h, w), w));
    }
  });

  it('fills holes, splits diagonal contacts, drops speckle, orders by size', () => {
    const w = 8, h = 8;
    const mask = new Uint8Array(h * w);
    for (let y = 0; y < 5; y++) for (let x = 0; x < 5; x++) mask[y * w + x] = 1;
    mask[2 * w + 2] = 0; // hole
    mask[5 * w + 5] = 1; // touches the block only at a corner
    mask[7 * w + 7] = 1;
    mask[6 * w + 7] = 1;
    const rings = maskToPolygons(mask, h, w, { minPixels: 2 });
    expect(rings.map((r) => polygonsArea([r]))).toEqual([25, 2]);
    expect(rleArea(polygonsToRle(rings, h, w))).toBe(27);
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

/** Background not reachable from the border (4-connected) becomes foreground. */
function fillHoles(mask: Uint8Array, h: number, w: number): Uint8Array {
  const outside = new Uint8Array(h * w);
  const stack: number[] = [];
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    if ((x === 0 || y === 0 || x === w - 1 || y === h - 1) && !mask[y * w + x]) {
      outside[y * w + x] = 1;
      stack.push(y * w + x);
    }
  }
  while (stack.length) {
    const p = stack.pop()!;
    const x = p % w, y = (p - x) / w;
    for (const [nx, ny] of [[x + 1, y], [x - 1, y], [x, y + 1], [x, y - 1]] as const) {
      if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
      const q = ny * w + nx;
      if (!mask[q] && !outside[q]) {
        outside[q] = 1;
        stack.push(q);
      }
    }
  }
  return outside.map((v) => (v ? 0 : 1));
}
