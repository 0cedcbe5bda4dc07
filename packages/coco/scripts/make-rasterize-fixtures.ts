// Generates test/fixtures/rasterize/polygons.json: polygon segmentations whose pycocotools masks
// (frPyObjects + merge, written by scripts/coco_golden.py) our rasteriser must reproduce exactly.
// Deterministic; test/golden-rasterize.test.ts checks the committed file against this generator.
//
//   npx tsx scripts/make-rasterize-fixtures.ts   (from packages/coco)

import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { Ring } from '../src/geometry';
import { between, fixtureJson, intBetween, pick, round, seeded, starRing, writeFixtures, type Rand } from './fixture-random';

export interface RasterCase {
  name: string;
  height: number;
  width: number;
  segmentation: Ring[];
}

/** Hand-picked edge cases: each is a way the upsampled edge walk or the clipping could go wrong. */
function edgeCases(): RasterCase[] {
  const c = (name: string, height: number, width: number, ...segmentation: Ring[]): RasterCase => ({ name, height, width, segmentation });
  const circle = (cx: number, cy: number, r: number, n: number): Ring => {
    const ring: Ring = [];
    for (let i = 0; i < n; i++) ring.push(round(cx + r * Math.cos((2 * Math.PI * i) / n), 3), round(cy + r * Math.sin((2 * Math.PI * i) / n), 3));
    return ring;
  };
  const star = (cx: number, cy: number, outer: number, inner: number, points: number): Ring => {
    const ring: Ring = [];
    for (let i = 0; i < 2 * points; i++) {
      const r = i % 2 ? inner : outer;
      ring.push(round(cx + r * Math.cos((Math.PI * i) / points), 3), round(cy + r * Math.sin((Math.PI * i) / points), 3));
    }
    return ring;
  };
  return [
    c('degenerate: all vertices one point', 10, 10, [4, 4, 4, 4, 4, 4]),
    c('degenerate: collinear horizontal', 10, 10, [1, 5, 5, 5, 8, 5]),
    c('degenerate: collinear diagonal', 10, 10, [1, 1, 4, 4, 8, 8]),
    c('degenerate: collinear vertical through pixel centres', 10, 10, [4.5, 1, 4.5, 5, 4.5, 8]),
    c('degenerate: repeated vertices', 12, 12, [2, 2, 2, 2, 9, 2, 9, 2, 9, 9, 2, 9, 2, 9]),
    c('sub-pixel triangle inside one pixel', 6, 6, [2.1, 2.1, 2.9, 2.2, 2.4, 2.8]),
    c('sub-pixel triangle around a pixel centre', 6, 6, [2.3, 2.3, 2.7, 2.3, 2.5, 2.7]),
    c('sub-pixel sliver across a column of centres', 8, 8, [3.45, 0.2, 3.55, 0.2, 3.55, 7.8, 3.45, 7.8]),
    c('sub-pixel square at 0.1 steps (x5 rounding ties)', 6, 6, [1.1, 1.1, 1.3, 1.1, 1.3, 1.3, 1.1, 1.3]),
    c('square on pixel centres', 10, 10, [2.5, 2.5, 6.5, 2.5, 6.5, 6.5, 2.5, 6.5]),
    c('square on pixel corners', 10, 10, [2, 2, 7, 2, 7, 7, 2, 7]),
    c('square on pixel corners, counter-clockwise', 10, 10, [2, 7, 7, 7, 7, 2, 2, 2]),
    c('entirely left of the image', 10, 10, [-9, 1, -2, 1, -2, 8, -9, 8]),
    c('entirely below the image', 10, 10, [1, 12, 8, 12, 8, 19, 1, 19]),
    c('entirely right, far away', 10, 10, [400, 1, 900, 1, 900, 8]),
    c('partly off every edge', 10, 12, [-3, -4, 15, -2, 14, 13, -5, 11]),
    c('huge coordinates around a small image', 20, 20, [-1000, -1000, 1000, -990, 990, 1000, -995, 995]),
    c('touching the right and bottom edges exactly', 8, 9, [5, 4, 9, 4, 9, 8, 5, 8]),
    c('1x1 image, covering polygon', 1, 1, [-1, -1, 2, -1, 2, 2, -1, 2]),
    c('1x1 image, polygon missing the centre', 1, 1, [0, 0, 0.4, 0, 0.4, 0.4]),
    c('one-row image', 1, 30, [2, -1, 25, 0.2, 20, 3, 4, 2]),
    c('one-column image', 30, 1, [-1, 3, 0.8, 6, 2, 26, -0.5, 22]),
    c('concave U', 20, 20, [2, 2, 6, 2, 6, 14, 13, 14, 13, 2, 17, 2, 17, 18, 2, 18]),
    c('concave comb', 16, 24, [1, 1, 3, 14, 5, 1, 7, 14, 9, 1, 11, 14, 13, 1, 15, 14, 17, 1, 19, 14, 21, 1, 22, 15, 1, 15]),
    c('bow tie (self-intersecting)', 16, 16, [1, 1, 14, 14, 14, 1, 1, 14]),
    c('pentagram (self-intersecting star)', 40, 40, [20, 2, 30.6, 34.6, 2.9, 14.5, 37.1, 14.5, 9.4, 34.6]),
    c('steep and shallow edges', 30, 30, [0.3, 0.2, 29.7, 1.1, 28.9, 29.6, 27.8, 2.4, 0.6, 29.9]),
    c('many vertices (circle, 200)', 80, 100, circle(50, 40, 33.3, 200)),
    c('thin diagonal strip', 40, 40, [0, 1, 1, 0, 40, 39, 39, 40]),
    c('two overlapping rings', 30, 30, [2, 2, 12, 2, 12, 12, 2, 12], [8, 8, 20, 8, 20, 20, 8, 20]),
    c('ring inside another (no hole: rings unite)', 30, 30, [2, 2, 27, 2, 27, 27, 2, 27], [10, 10, 18, 10, 18, 18, 10, 18]),
    c('first ring of 4 numbers: read as boxes', 20, 20, [2, 3, 5, 4], [10, 10, 6, 8]),
    c('many rings (12 circles)', 60, 80, ...Array.from({ length: 12 }, (_, i) => circle(8 + (i % 4) * 20, 9 + Math.floor(i / 4) * 20, 4 + (i % 3) * 2.7, 9 + i))),
    // Full-size images: long RLE strings (thousands of counts) and long edges both ways.
    c('640x480: 400-vertex star', 480, 640, star(320, 240, 230, 120, 200)),
    c('640x480: long steep and shallow edges, past every side', 480, 640, [-40.5, 10.2, 700.3, 30.7, 650.1, 520.9, 300.6, 5.5, -20.2, 470.4]),
    c('640x480: 30 rings of comb teeth', 480, 640, ...Array.from({ length: 30 }, (_, i) => [10 + 21 * i, 5, 20 + 21 * i, 5, 15.5 + 21 * i, 470.3])),
  ];
}

/** Random polygons on random small images: sizes, vertex counts, concavity and precision all vary. */
function randomCases(rand: Rand, count: number): RasterCase[] {
  const out: RasterCase[] = [];
  for (let i = 0; i < count; i++) {
    const width = intBetween(rand, 1, 64);
    const height = intBetween(rand, 1, 64);
    const digits = pick(rand, [0, 1, 2, 3]);
    const rings: Ring[] = [];
    for (let n = rand() < 0.2 ? intBetween(rand, 2, 5) : 1; n > 0; n--) {
      const r = between(rand, 0.3, 0.6 * Math.max(width, height));
      const cx = between(rand, -0.2 * width, 1.2 * width);
      const cy = between(rand, -0.2 * height, 1.2 * height);
      rings.push(starRing(rand, cx, cy, r, intBetween(rand, 3, 24), pick(rand, [0, 0.3, 0.8]), digits));
    }
    out.push({ name: `random ${i + 1}`, height, width, segmentation: rings });
  }
  return out;
}

export function buildRasterCases(): RasterCase[] {
  return [...edgeCases(), ...randomCases(seeded(7001), 160)];
}

export const RASTER_FIXTURE_DIR = fileURLToPath(new URL('../test/fixtures/rasterize/', import.meta.url));

export function buildRasterFixtures(): Record<string, string> {
  return { 'polygons.json': fixtureJson(buildRasterCases()) };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFixtures(RASTER_FIXTURE_DIR, buildRasterFixtures());
}
