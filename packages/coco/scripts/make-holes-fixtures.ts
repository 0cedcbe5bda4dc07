// Generates test/fixtures/holes/: instances whose rings nest (holes, islands in holes, overlapping
// holes, a ring across a hole, clipping at the image edge), each with the nesting it was built with,
// and export.json, our COCO export of them (holes as RLE). scripts/coco_golden.py rasterises every
// ring with pycocotools, combines the masks by the hole rule with numpy from the `parent` given here,
// and reads export.json with pycocotools' COCO: test/golden-holes.test.ts compares both with ours.
// Deterministic; the test checks the committed files against this generator.
//
//   npx tsx scripts/make-holes-fixtures.ts   (from packages/coco)

import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { Ring } from '../src/geometry';
import { instanceRasterArea } from '../src/instance-mask';
import { buildCocoExport } from '../src/interchange/export';
import { polygonsBbox } from '../src/geometry';
import { between, fixtureJson, intBetween, round, seeded, starRing, writeFixtures, type Rand } from './fixture-random';

export interface HoleCase {
  name: string;
  height: number;
  width: number;
  rings: Ring[];
  /** The ring each ring was drawn inside (its hole rule parent), -1 for none. */
  parent: number[];
}

const rect = (x0: number, y0: number, x1: number, y1: number): Ring => [x0, y0, x1, y0, x1, y1, x0, y1];

function circle(cx: number, cy: number, r: number, n: number, reverse = false): Ring {
  const ring: Ring = [];
  for (let i = 0; i < n; i++) {
    const a = ((reverse ? -1 : 1) * 2 * Math.PI * i) / n;
    ring.push(round(cx + r * Math.cos(a), 3), round(cy + r * Math.sin(a), 3));
  }
  return ring;
}

/** Hand-picked: each is a way nesting, combining or clipping could go wrong. */
function edgeCases(): HoleCase[] {
  const c = (name: string, height: number, width: number, rings: Ring[], parent: number[]): HoleCase => ({ name, height, width, rings, parent });
  return [
    c('square with a square hole, on pixel corners', 30, 30, [rect(2, 2, 28, 28), rect(9, 9, 21, 21)], [-1, 0]),
    c('circle with a circular hole, wound the other way', 60, 60, [circle(30, 30, 25.3, 64), circle(31, 29, 11.7, 40, true)], [-1, 0]),
    c('donut with an island in the hole', 50, 50, [circle(25, 25, 22, 48), circle(25, 25, 14, 36), circle(25, 25, 6.5, 20)], [-1, 0, 1]),
    c('four levels deep', 60, 60, [rect(1, 1, 59, 59), rect(8.5, 8.5, 51.5, 51.5), rect(16.2, 16.2, 43.8, 43.8), rect(24, 24, 36, 36)], [-1, 0, 1, 2]),
    c('two holes and a part beside', 40, 70, [rect(2, 2, 40, 38), rect(6, 6, 18, 30), rect(24, 10, 36, 20), [50, 5, 68, 8, 60, 35]], [-1, 0, 0, -1]),
    c('overlapping holes remove their union', 40, 50, [rect(1, 1, 49, 39), rect(6, 6, 26, 26), rect(18, 14, 40, 34)], [-1, 0, 0]),
    c('a part drawn across a hole fills what it covers', 40, 60, [rect(2, 2, 36, 36), rect(8, 8, 30, 30), [20, 14, 58, 16, 56, 24, 19, 22]], [-1, 0, -1]),
    c('hole touching the outline from inside', 30, 30, [rect(2, 2, 28, 28), rect(2, 10, 14, 20)], [-1, 0]),
    c('outline past the image edge, hole clipped by it', 30, 40, [rect(-10, -5, 30, 25), rect(-4, 3, 12, 15)], [-1, 0]),
    c('concave U with a hole in one arm', 40, 40, [[2, 2, 14, 2, 14, 28, 26, 28, 26, 2, 38, 2, 38, 38, 2, 38], rect(5, 6, 11, 24)], [-1, 0]),
    c('star with a star hole (sub-pixel vertices)', 80, 80, [starPoints(40, 40, 36, 24, 9), starPoints(40.3, 39.6, 14.2, 9.1, 7)], [-1, 0]),
    c('hole inside two overlapping outlines is cut from the smaller', 40, 50, [rect(8, 2, 48, 38), rect(2, 2, 30, 38), rect(12, 12, 22, 22)], [-1, -1, 1]),
    c('640x480: large ring with many small holes', 480, 640, [circle(320, 240, 220, 360), ...Array.from({ length: 12 }, (_, i) => circle(320 + 140 * Math.cos((Math.PI * i) / 6), 240 + 140 * Math.sin((Math.PI * i) / 6), 18 + (i % 4) * 4.3, 24 + i))], [-1, ...Array.from({ length: 12 }, () => 0)]),
  ];
}

function starPoints(cx: number, cy: number, outer: number, inner: number, points: number): Ring {
  const ring: Ring = [];
  for (let i = 0; i < 2 * points; i++) {
    const r = i % 2 ? inner : outer;
    ring.push(round(cx + r * Math.cos((Math.PI * i) / points), 3), round(cy + r * Math.sin((Math.PI * i) / points), 3));
  }
  return ring;
}

/**
 * Random instances: a star outline (radii between 0.7 R and R) with up to three star holes inside
 * it, and sometimes an island inside a hole, on random image sizes and at random precision.
 */
function randomCases(rand: Rand, count: number): HoleCase[] {
  const out: HoleCase[] = [];
  for (let i = 0; i < count; i++) {
    const width = intBetween(rand, 20, 120);
    const height = intBetween(rand, 20, 120);
    const digits = intBetween(rand, 0, 3);
    const R = between(rand, 6, 0.6 * Math.max(width, height));
    const cx = between(rand, 0, width), cy = between(rand, 0, height);
    const rings: Ring[] = [starRing(rand, cx, cy, R, intBetween(rand, 16, 30), 0.3, digits)];
    const parent = [-1];
    const holes = intBetween(rand, 1, 3);
    for (let k = 0; k < holes; k++) {
      // Hole centres on a circle of radius 0.3 R, 120° apart, each of radius 0.25 R: apart from
      // each other and inside the outline, whose edges (16+ vertices) stay beyond 0.66 R.
      const a = (2 * Math.PI * k) / 3;
      const hx = holes === 1 ? cx : cx + 0.3 * R * Math.cos(a), hy = holes === 1 ? cy : cy + 0.3 * R * Math.sin(a);
      const r = (holes === 1 ? 0.6 : 0.25) * R;
      rings.push(starRing(rand, hx, hy, r, intBetween(rand, 5, 16), 0.2, digits));
      parent.push(0);
      if (rand() < 0.4) {
        rings.push(starRing(rand, hx, hy, 0.5 * r * 0.8, intBetween(rand, 3, 10), 0.2, digits));
        parent.push(rings.length - 2);
      }
    }
    out.push({ name: `random ${i + 1}`, height, width, rings, parent });
  }
  return out;
}

export function buildHoleCases(): HoleCase[] {
  return [...edgeCases(), ...randomCases(seeded(7101), 60)];
}

/** Our COCO export of the cases: one image and one annotation per case, areas as the database stores them. */
export function holesExport(cases: readonly HoleCase[]) {
  return buildCocoExport({
    project: { name: 'holes fixture' },
    classes: [{ id: 'thing', name: 'thing', order: 0 }],
    images: cases.map((c, i) => ({ id: i, fileName: `case-${i + 1}.png`, width: c.width, height: c.height })),
    annotations: cases.map((c, i) => ({ id: i, imageId: i, classId: 'thing', polygons: c.rings, rle: null, bbox: polygonsBbox(c.rings), area: instanceRasterArea(c.rings, c.height, c.width), iscrowd: 0 })),
    now: new Date('2026-01-01T00:00:00Z'),
  });
}

export const HOLES_FIXTURE_DIR = fileURLToPath(new URL('../test/fixtures/holes/', import.meta.url));

export function buildHoleFixtures(): Record<string, string> {
  const cases = buildHoleCases();
  return { 'instances.json': fixtureJson(cases), 'export.json': fixtureJson(holesExport(cases)) };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFixtures(HOLES_FIXTURE_DIR, buildHoleFixtures());
}
