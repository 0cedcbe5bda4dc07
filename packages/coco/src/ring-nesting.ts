// The hole rule for the rings of one stored instance, in one place for the editor, the database,
// training targets, evaluation and export:
//
// - A ring lying inside another ring of the same instance is nested in it. Its depth is 0 when no
//   ring contains it, else one more than the deepest ring that does; its parent is that deepest
//   container (the smallest by area on a tie).
// - Even depth fills, odd depth is a hole cut from its parent only: a ring inside a hole is an
//   island again, and so on.
// - The instance is the union, over every filled ring, of that ring minus its own holes. So rings
//   that overlap without one containing the other are united, overlapping holes remove their union,
//   and a filled ring drawn across another ring's hole fills what it covers.
//
// COCO polygon files do not follow this rule (pycocotools unites every ring of an annotation), which
// is why an instance with holes is exported as RLE and nested rings of an imported polygon are dropped.

import { ringArea, type Ring } from './geometry';

/** Even-odd point-in-ring test (a point exactly on an edge may land either side). */
export function pointInRing(ring: Ring, x: number, y: number): boolean {
  let inside = false;
  const n = ring.length / 2;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const xi = ring[2 * i]!, yi = ring[2 * i + 1]!, xj = ring[2 * j]!, yj = ring[2 * j + 1]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Whether (x, y) lies on one of the ring's edges (exactly: collinear and within the segment). */
function onBoundary(ring: Ring, x: number, y: number): boolean {
  const n = ring.length / 2;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const ax = ring[2 * j]!, ay = ring[2 * j + 1]!, bx = ring[2 * i]!, by = ring[2 * i + 1]!;
    if (x < Math.min(ax, bx) || x > Math.max(ax, bx) || y < Math.min(ay, by) || y > Math.max(ay, by)) continue;
    if ((bx - ax) * (y - ay) - (by - ay) * (x - ax) === 0) return true;
  }
  return false;
}

type Box = [x0: number, y0: number, x1: number, y1: number];

function ringBox(ring: Ring): Box {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (let i = 0; i + 1 < ring.length; i += 2) {
    const x = ring[i]!, y = ring[i + 1]!;
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  return [x0, y0, x1, y1];
}

const within = (a: Box, b: Box) => a[0] >= b[0] && a[1] >= b[1] && a[2] <= b[2] && a[3] <= b[3];
const cross = (ax: number, ay: number, bx: number, by: number, cx: number, cy: number) => (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);

const onSegment = (ax: number, ay: number, bx: number, by: number, px: number, py: number) => px >= Math.min(ax, bx) && px <= Math.max(ax, bx) && py >= Math.min(ay, by) && py <= Math.max(ay, by);

/**
 * How the edges of rings `a` and `b` meet: `cross` when two cross at a point interior to both, else
 * `touch` when any meet at all (an end on the other edge, or overlapping along a line). Edges are
 * sorted by left end and compared only where x- and y-ranges overlap.
 */
function edgeContacts(a: Ring, b: Ring): { cross: boolean; touch: boolean } {
  type Edge = { ring: 0 | 1; ax: number; ay: number; bx: number; by: number; x0: number; x1: number; y0: number; y1: number };
  const edges: Edge[] = [];
  const add = (ring: Ring, which: 0 | 1) => {
    const n = ring.length / 2;
    for (let i = 0; i < n; i++) {
      const j = (i + 1) % n;
      const ax = ring[2 * i]!, ay = ring[2 * i + 1]!, bx = ring[2 * j]!, by = ring[2 * j + 1]!;
      edges.push({ ring: which, ax, ay, bx, by, x0: Math.min(ax, bx), x1: Math.max(ax, bx), y0: Math.min(ay, by), y1: Math.max(ay, by) });
    }
  };
  add(a, 0);
  add(b, 1);
  edges.sort((p, q) => p.x0 - q.x0);
  let touch = false;
  for (let i = 0; i < edges.length; i++) {
    const e = edges[i]!;
    for (let k = i + 1; k < edges.length && edges[k]!.x0 <= e.x1; k++) {
      const f = edges[k]!;
      if (f.ring === e.ring || f.y0 > e.y1 || f.y1 < e.y0) continue;
      const d1 = cross(f.ax, f.ay, f.bx, f.by, e.ax, e.ay);
      const d2 = cross(f.ax, f.ay, f.bx, f.by, e.bx, e.by);
      const d3 = cross(e.ax, e.ay, e.bx, e.by, f.ax, f.ay);
      const d4 = cross(e.ax, e.ay, e.bx, e.by, f.bx, f.by);
      if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) return { cross: true, touch: true };
      if (!touch) {
        touch =
          (d1 === 0 && onSegment(f.ax, f.ay, f.bx, f.by, e.ax, e.ay)) ||
          (d2 === 0 && onSegment(f.ax, f.ay, f.bx, f.by, e.bx, e.by)) ||
          (d3 === 0 && onSegment(e.ax, e.ay, e.bx, e.by, f.ax, f.ay)) ||
          (d4 === 0 && onSegment(e.ax, e.ay, e.bx, e.by, f.bx, f.by));
      }
    }
  }
  return { cross: false, touch };
}

/** Where (x, y) lies against `ring`: 0 on its boundary, 1 inside, -1 outside. */
function side(ring: Ring, x: number, y: number): number {
  if (onBoundary(ring, x, y)) return 0;
  return pointInRing(ring, x, y) ? 1 : -1;
}

/**
 * Whether ring `inner` lies inside ring `outer`: no edges cross, none of its vertices or edge
 * midpoints is outside, and at least one is strictly inside (so a ring is never inside itself or a
 * copy of itself: those are a union). Touching the outer ring from inside still counts as inside.
 */
export function ringInside(inner: Ring, outer: Ring, innerBox: Box = ringBox(inner), outerBox: Box = ringBox(outer)): boolean {
  if (inner.length < 6 || outer.length < 6 || !within(innerBox, outerBox)) return false;
  const contacts = edgeContacts(inner, outer);
  if (contacts.cross) return false;
  // Apart everywhere, the inner ring lies wholly on one side: one vertex tells which.
  if (!contacts.touch) return side(outer, inner[0]!, inner[1]!) === 1;
  // Touching, it could pass to the outside through a shared point: every vertex and midpoint decides.
  const n = inner.length / 2;
  let strictly = false;
  for (let i = 0; i < n; i++) {
    const j = (i + 1) % n;
    const px = inner[2 * i]!, py = inner[2 * i + 1]!;
    const v = side(outer, px, py);
    const m = side(outer, (px + inner[2 * j]!) / 2, (py + inner[2 * j + 1]!) / 2);
    if (v < 0 || m < 0) return false;
    if (v > 0 || m > 0) strictly = true;
  }
  return strictly;
}

export interface RingNesting {
  /** Nesting depth per ring: even fills, odd is a hole. */
  depth: number[];
  /** Index of the ring each ring is nested in (its deepest container), -1 at the top level. */
  parent: number[];
}

/** Depth and parent of every ring of one instance under the hole rule (top of this file). */
export function ringNesting(rings: readonly Ring[]): RingNesting {
  const n = rings.length;
  const boxes = rings.map(ringBox);
  const containers: number[][] = rings.map(() => []);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i !== j && within(boxes[i]!, boxes[j]!) && ringInside(rings[i]!, rings[j]!, boxes[i], boxes[j])) containers[i]!.push(j);
    }
  }
  const depth = new Array<number>(n).fill(-1);
  const visiting = new Uint8Array(n);
  const depthOf = (i: number): number => {
    if (depth[i]! >= 0) return depth[i]!;
    // A containment cycle cannot arise from exact arithmetic; were rounding to make one, its rings count as top level.
    if (visiting[i]) return 0;
    visiting[i] = 1;
    let d = 0;
    for (const c of containers[i]!) d = Math.max(d, depthOf(c) + 1);
    visiting[i] = 0;
    return (depth[i] = d);
  };
  const parent = rings.map((_, i) => {
    const d = depthOf(i);
    let best = -1;
    for (const c of containers[i]!) {
      if (depthOf(c) !== d - 1) continue;
      if (best < 0 || ringArea(rings[c]!) < ringArea(rings[best]!)) best = c;
    }
    return best;
  });
  return { depth: depth.map((_, i) => depthOf(i)), parent };
}

/** Whether the rule makes any ring of the instance a hole (else the instance is the plain union of its rings, as COCO polygons are). */
export function hasHoles(rings: readonly Ring[]): boolean {
  if (rings.length < 2) return false;
  const boxes = rings.map(ringBox);
  return rings.some((r, i) => rings.some((o, j) => i !== j && within(boxes[i]!, boxes[j]!) && ringInside(r, o, boxes[i], boxes[j])));
}

/** Whether (x, y) lies in the instance: in some filled ring and in none of that ring's holes. */
export function pointInInstance(rings: readonly Ring[], x: number, y: number, nesting: RingNesting = ringNesting(rings)): boolean {
  return rings.some((ring, i) => nesting.depth[i]! % 2 === 0 && pointInRing(ring, x, y) && !rings.some((hole, k) => nesting.parent[k] === i && pointInRing(hole, x, y)));
}
