// Shared pieces of the fixture generators: a seeded PRNG (so fixtures regenerate byte for byte),
// random polygon shapes, and a line-per-record JSON layout that keeps committed fixtures diffable.

import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { seededRandom } from '@segmenta/contracts';
import type { Ring } from '../src/geometry';

export type Rand = () => number;

/** The project's seeded PRNG (mulberry32), so fixtures regenerate byte for byte on every platform. */
export const seeded: (seed: number) => Rand = seededRandom;

export const between = (rand: Rand, lo: number, hi: number) => lo + (hi - lo) * rand();
export const intBetween = (rand: Rand, lo: number, hi: number) => Math.floor(between(rand, lo, hi + 1));
export const pick = <T>(rand: Rand, items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
/** Rounded to `digits` decimals; fixtures hold short numbers, and both sides then read the same doubles. */
export const round = (v: number, digits = 2) => Math.round(v * 10 ** digits) / 10 ** digits;

/**
 * A star-shaped ring around (cx, cy): `n` vertices at increasing angles, radii between
 * r·(1 − jag) and r, so jag > 0 gives concave outlines. Coordinates rounded to `digits`.
 */
export function starRing(rand: Rand, cx: number, cy: number, r: number, n: number, jag: number, digits = 2): Ring {
  const ring: Ring = [];
  const turn = rand() * 2 * Math.PI;
  for (let i = 0; i < n; i++) {
    const angle = turn + ((i + between(rand, -0.3, 0.3)) / n) * 2 * Math.PI;
    const radius = r * (1 - jag * rand());
    ring.push(round(cx + radius * Math.cos(angle), digits), round(cy + radius * Math.sin(angle), digits));
  }
  return ring;
}

/** Each vertex moved by up to ±amount in x and y, plus a common shift. */
export function jitterRing(rand: Rand, ring: Ring, amount: number, shift: [number, number] = [0, 0]): Ring {
  return ring.map((v, i) => round(v + shift[i % 2]! + between(rand, -amount, amount)));
}

/** Deterministic Fisher–Yates shuffle. */
export function shuffle<T>(rand: Rand, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/**
 * JSON with one array element per line (top-level arrays and arrays under top-level keys), so a
 * regenerated fixture diffs record by record instead of as one giant line.
 */
export function fixtureJson(value: unknown): string {
  const items = (a: unknown[], indent: string) => (a.length ? `[\n${a.map((x) => indent + JSON.stringify(x)).join(',\n')}\n${indent.slice(2)}]` : '[]');
  if (Array.isArray(value)) return `${items(value, '  ')}\n`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).map(([k, v]) => `  ${JSON.stringify(k)}: ${Array.isArray(v) ? items(v, '    ') : JSON.stringify(v)}`);
    return `{\n${entries.join(',\n')}\n}\n`;
  }
  return `${JSON.stringify(value)}\n`;
}

/** Write every file of a generated set under `dir` (created if needed). */
/** Writes each fixture file into `dir` and says what it wrote. */
export function writeFixtures(dir: string, files: Record<string, string>): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    writeFileSync(path.join(dir, name), text);
    console.log(`${path.join(dir, name)}  ${(text.length / 1024).toFixed(1)} KiB`);
  }
}
