// Instances with holes against pycocotools (scripts/make-holes-fixtures.ts; golden.json from
// scripts/coco_golden.py): our nesting finds the parents each case was built with, our mask equals
// pycocotools' per-ring masks combined by the hole rule, and pycocotools reading our export gets that
// mask, an area equal to the one the database stores, and the box we write.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildHoleFixtures, type HoleCase } from '../scripts/make-holes-fixtures';
import { maskToPolygons } from '../src/contours';
import { distanceToRings } from '../src/geometry';
import { instanceRasterArea, instanceToRle } from '../src/instance-mask';
import { hasHoles, ringNesting } from '../src/ring-nesting';
import { decodeRle } from '../src/rle';
import type { CocoFile } from '../src/schema';

const dir = new URL('./fixtures/holes/', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, dir), 'utf8');

interface GoldenCase {
  name: string;
  counts: string;
  area: number;
  exported: { counts: string; area: number; bbox: number[]; annArea: number; iscrowd: number };
}
const instancesText = read('instances.json');
const exportText = read('export.json');
const cases = JSON.parse(instancesText) as HoleCase[];
const exported = JSON.parse(exportText) as CocoFile;
const golden = JSON.parse(read('golden.json')) as { instancesSha256: string; exportSha256: string; cases: GoldenCase[] };
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

describe('instances with holes against pycocotools', () => {
  it('golden.json belongs to the committed fixtures, which the generator reproduces', () => {
    expect(sha(instancesText)).toBe(golden.instancesSha256);
    expect(sha(exportText)).toBe(golden.exportSha256);
    const built = buildHoleFixtures();
    expect(built['instances.json']).toBe(instancesText);
    expect(built['export.json']).toBe(exportText);
    expect(golden.cases.map((c) => c.name)).toEqual(cases.map((c) => c.name));
    expect(cases.every((c) => hasHoles(c.rings))).toBe(true);
  });

  it.each(cases.map((c, i) => [c.name, i] as const))('%s', (_name, i) => {
    const c = cases[i]!;
    const want = golden.cases[i]!;
    expect(ringNesting(c.rings).parent).toEqual(c.parent);
    const rle = instanceToRle(c.rings, c.height, c.width);
    expect(rle.counts).toBe(want.counts);
    expect(instanceRasterArea(c.rings, c.height, c.width)).toBe(want.area);
    // pycocotools reading the export: same mask and area as the rule gives, the area we store, our box.
    const ann = exported.annotations[i]!;
    expect(want.exported).toEqual({ counts: want.counts, area: want.area, bbox: ann.bbox, annArea: want.area, iscrowd: 0 });
  });

  it('traces every exported mask back (as an import does) to rings with exactly its pixels, each vertex within a pixel of what was drawn', () => {
    let worst = 0;
    for (const c of cases) {
      const rle = instanceToRle(c.rings, c.height, c.width);
      const traced = maskToPolygons(decodeRle(rle), c.height, c.width);
      expect(instanceToRle(traced, c.height, c.width)).toEqual(rle);
      for (const ring of traced) worst = Math.max(worst, distanceToDrawn(ring, c));
    }
    // 0.85 px on these cases: a pixel-edge staircase around pixel centres, plus pycocotools' ×5 rounding.
    expect(worst).toBeLessThanOrEqual(1);
  });
});

/** Largest distance from a vertex of `ring` to the nearest drawn ring of the case, or to the image edge where the drawing was clipped. */
function distanceToDrawn(ring: number[], c: HoleCase): number {
  let worst = 0;
  for (let i = 0; i < ring.length; i += 2) {
    const x = ring[i]!, y = ring[i + 1]!;
    worst = Math.max(worst, Math.min(x, y, c.width - x, c.height - y, distanceToRings(x, y, c.rings)));
  }
  return worst;
}
