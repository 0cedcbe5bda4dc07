// Checks an annotator's polygon gets before it is stored. Clamping and self-intersection are
// reported rather than refused: a clamped point is what the annotator meant, and a bow-tie is
// still a usable label that the region list flags for fixing.

import { ringArea, type Ring } from './geometry';

/** Number of distinct (x, y) points in a ring. */
export function distinctPointCount(ring: Ring): number {
  const seen = new Set<string>();
  for (let i = 0; i + 1 < ring.length; i += 2) seen.add(`${ring[i]},${ring[i + 1]}`);
  return seen.size;
}

/** The ring with every point moved inside [0, width] × [0, height], and whether any moved. */
export function clampRing(ring: Ring, width: number, height: number): { ring: Ring; clamped: boolean } {
  let clamped = false;
  const out = ring.map((v, i) => {
    const hi = i % 2 === 0 ? width : height;
    const c = v < 0 ? 0 : v > hi ? hi : v;
    if (c !== v) clamped = true;
    return c;
  });
  return { ring: out, clamped };
}

const cross = (ax: number, ay: number, bx: number, by: number, cx: number, cy: number) => (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);

/** Do segments p1p2 and p3p4 cross at a point interior to both (touching ends does not count)? */
function properlyCross(x1: number, y1: number, x2: number, y2: number, x3: number, y3: number, x4: number, y4: number): boolean {
  const d1 = cross(x3, y3, x4, y4, x1, y1);
  const d2 = cross(x3, y3, x4, y4, x2, y2);
  const d3 = cross(x1, y1, x2, y2, x3, y3);
  const d4 = cross(x1, y1, x2, y2, x4, y4);
  return ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0));
}

/**
 * Whether two non-adjacent edges of the closed ring cross. Edges are sorted by their left end so
 * each is compared only with edges whose x-ranges overlap: near-linear for the usual outline, and
 * bounded by the 10,000-vertex cap in the worst case.
 */
export function ringSelfIntersects(ring: Ring): boolean {
  const n = ring.length / 2;
  if (n < 4) return false;
  const edges = Array.from({ length: n }, (_, i) => {
    const j = (i + 1) % n;
    const ax = ring[2 * i]!, ay = ring[2 * i + 1]!, bx = ring[2 * j]!, by = ring[2 * j + 1]!;
    return { i, ax, ay, bx, by, x0: Math.min(ax, bx), x1: Math.max(ax, bx), y0: Math.min(ay, by), y1: Math.max(ay, by) };
  });
  edges.sort((a, b) => a.x0 - b.x0);
  for (let a = 0; a < n; a++) {
    const e = edges[a]!;
    for (let b = a + 1; b < n && edges[b]!.x0 <= e.x1; b++) {
      const f = edges[b]!;
      const gap = Math.abs(e.i - f.i);
      if (gap === 1 || gap === n - 1) continue;
      if (f.y0 > e.y1 || f.y1 < e.y0) continue;
      if (properlyCross(e.ax, e.ay, e.bx, e.by, f.ax, f.ay, f.bx, f.by)) return true;
    }
  }
  return false;
}

function allCollinear(ring: Ring): boolean {
  const x0 = ring[0]!, y0 = ring[1]!;
  let k = 2;
  while (k < ring.length && ring[k] === x0 && ring[k + 1] === y0) k += 2;
  if (k >= ring.length) return true;
  const x1 = ring[k]!, y1 = ring[k + 1]!;
  for (let i = k + 2; i + 1 < ring.length; i += 2) if (cross(x0, y0, x1, y1, ring[i]!, ring[i + 1]!) !== 0) return false;
  return true;
}

/** Why an annotator's ring cannot be stored, or null. Run after clamping so "outside" shows as zero area. */
export function editableRingProblem(ring: Ring): string | null {
  if (ring.length % 2 !== 0) return 'has an odd number of coordinates';
  if (ring.some((v) => !Number.isFinite(v))) return 'holds a non-finite coordinate';
  const distinct = distinctPointCount(ring);
  if (distinct < 3) return `has ${distinct} distinct point(s); a polygon needs at least 3`;
  // Collinearity rather than shoelace area: a symmetric bow-tie has zero signed area but is a real (flagged) shape.
  if (ringArea(ring) === 0 && allCollinear(ring)) return 'has zero area (its points are on one line, or it lies outside the image)';
  return null;
}
