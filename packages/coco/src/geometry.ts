// COCO geometry for polygon instances: `segmentation` is a list of rings [x1, y1, x2, y2, ...] in
// pixels, bbox is [x, y, width, height], area is the polygon area (as pycocotools' polygon→RLE
// would give up to rasterisation).

export type Ring = number[];
export type Bbox = [x: number, y: number, w: number, h: number];

/** Shoelace area of one ring (absolute; rings may be wound either way). */
export function ringArea(ring: Ring): number {
  const n = ring.length / 2;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const j = (i + 1) % n;
    sum += ring[2 * i]! * ring[2 * j + 1]! - ring[2 * j]! * ring[2 * i + 1]!;
  }
  return Math.abs(sum) / 2;
}

/** Area of an instance made of several parts (parts of one instance do not overlap, as in COCO). */
export function polygonsArea(rings: readonly Ring[]): number {
  return rings.reduce((a, r) => a + ringArea(r), 0);
}

export function polygonsBbox(rings: readonly Ring[]): Bbox {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const ring of rings) {
    for (let i = 0; i + 1 < ring.length; i += 2) {
      x0 = Math.min(x0, ring[i]!);
      x1 = Math.max(x1, ring[i]!);
      y0 = Math.min(y0, ring[i + 1]!);
      y1 = Math.max(y1, ring[i + 1]!);
    }
  }
  if (!Number.isFinite(x0)) return [0, 0, 0, 0];
  return [x0, y0, x1 - x0, y1 - y0];
}

/** Why a ring is unusable, or null: COCO needs at least three points and finite coordinates. */
export function ringProblem(ring: Ring): string | null {
  if (ring.length % 2 !== 0) return 'has an odd number of coordinates';
  if (ring.length < 6) return 'needs at least 3 points';
  if (ring.some((v) => !Number.isFinite(v))) return 'holds a non-finite coordinate';
  if (ringArea(ring) === 0) return 'has zero area';
  return null;
}

/** Distance from (px, py) to the segment from (ax, ay) to (bx, by). */
export function pointSegmentDistance(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const vx = bx - ax, vy = by - ay;
  const len2 = vx * vx + vy * vy;
  let t = len2 === 0 ? 0 : ((px - ax) * vx + (py - ay) * vy) / len2;
  t = Math.max(0, Math.min(1, t));
  return Math.hypot(px - (ax + t * vx), py - (ay + t * vy));
}

/** Distance from (x, y) to the nearest edge of any of the rings (Infinity for none). */
export function distanceToRings(x: number, y: number, rings: readonly Ring[]): number {
  let best = Infinity;
  for (const ring of rings) {
    const n = ring.length / 2;
    for (let i = 0, j = n - 1; i < n; j = i++) best = Math.min(best, pointSegmentDistance(x, y, ring[2 * j]!, ring[2 * j + 1]!, ring[2 * i]!, ring[2 * i + 1]!));
  }
  return best;
}
