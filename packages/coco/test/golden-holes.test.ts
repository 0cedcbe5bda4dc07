// Instances with holes against pycocotools (scripts/make-holes-fixtures.ts; golden.json from
// scripts/coco_golden.py): our nesting finds the parents each case was built with, our mask equals
// pycocotools' per-ring masks combined by the hole rule, and pycocotools reading our export gets that
// mask, an area equal to the one the database stores, and the box we write.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildHoleFixtures, type HoleCase } from '../scripts/make-holes-fixtures';
import { instanceRasterArea, instanceToRle } from '../src/instance-mask';
import { hasHoles, ringNesting } from '../src/ring-nesting';
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
});
