// Polygon rasterisation against pycocotools frPyObjects + merge, pixel for pixel (equal compressed
// RLE strings), on generated edge cases and random polygons (scripts/make-rasterize-fixtures.ts;
// golden.json from scripts/coco_golden.py).

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildRasterFixtures, type RasterCase } from '../scripts/make-rasterize-fixtures';
import { segmentationToRle } from '../src/rasterize';
import { rleArea, rleToBbox } from '../src/rle';

const dir = new URL('./fixtures/rasterize/', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, dir), 'utf8');

interface GoldenCase { name: string; counts: string; area: number; bbox: number[] }
const polygonsText = read('polygons.json');
const cases = JSON.parse(polygonsText) as RasterCase[];
const golden = JSON.parse(read('golden.json')) as { polygonsSha256: string; cases: GoldenCase[] };

describe('rasterisation against pycocotools golden masks', () => {
  it('golden.json belongs to the committed polygons, which the generator reproduces', () => {
    expect(createHash('sha256').update(polygonsText).digest('hex')).toBe(golden.polygonsSha256);
    expect(buildRasterFixtures()['polygons.json']).toBe(polygonsText);
    expect(golden.cases.map((c) => c.name)).toEqual(cases.map((c) => c.name));
    // Enough non-empty masks that agreement means something.
    expect(golden.cases.filter((c) => c.area > 0).length).toBeGreaterThan(100);
  });

  it.each(cases.map((c, i) => [c.name, i] as const))('%s', (_name, i) => {
    const c = cases[i]!;
    const want = golden.cases[i]!;
    const rle = segmentationToRle(c.segmentation, c.height, c.width);
    expect(rle.size).toEqual([c.height, c.width]);
    expect(rle.counts).toBe(want.counts);
    expect(rleArea(rle)).toBe(want.area);
    expect(rleToBbox(rle)).toEqual(want.bbox);
  });
});
