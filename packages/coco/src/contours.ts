// Mask → editable polygons: trace the outer boundary of every 4-connected component along pixel
// edges, then simplify with Douglas–Peucker. Vertices sit on pixel corners, which is where
// pycocotools' rasteriser (pixel c covers [c, c+1)) puts a mask's boundary, so an unsimplified
// trace rasterises back to the same pixels, holes excepted: COCO unites an instance's rings, so a
// hole cannot be expressed and is filled.

import type { Ring } from './geometry';

/** Directions in image coordinates (y down): right, down, left, up. A right turn is d + 1. */
const DX = [1, 0, -1, 0] as const;
const DY = [0, 1, 0, -1] as const;

/** 4-connected component labels (1-based, 0 = background) and each label's first pixel in row-major order. */
function labelComponents(mask: ArrayLike<number>, h: number, w: number): { labels: Int32Array; starts: number[] } {
  const labels = new Int32Array(h * w);
  const starts: number[] = [];
  const stack: number[] = [];
  for (let i = 0; i < h * w; i++) {
    if (!mask[i] || labels[i]) continue;
    const label = starts.length + 1;
    starts.push(i);
    labels[i] = label;
    stack.push(i);
    while (stack.length) {
      const p = stack.pop()!;
      const x = p % w;
      const y = (p - x) / w;
      for (let d = 0; d < 4; d++) {
        const nx = x + DX[d]!, ny = y + DY[d]!;
        if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
        const q = ny * w + nx;
        if (mask[q] && !labels[q]) {
          labels[q] = label;
          stack.push(q);
        }
      }
    }
  }
  return { labels, starts };
}

/**
 * Outer boundary of one component, clockwise on screen with the component on the right-hand side,
 * as corner coordinates with only the turning points kept.
 */
function traceOuter(labels: Int32Array, h: number, w: number, label: number, start: number): Ring {
  const inside = (x: number, y: number) => x >= 0 && y >= 0 && x < w && y < h && labels[y * w + x] === label;
  // The first pixel in scan order has nothing of its component above it, so its top edge is on
  // the outer boundary; walk it rightwards.
  const sx = start % w;
  const sy = (start - sx) / w;
  let x = sx, y = sy, d = 0;
  const ring: Ring = [];
  do {
    x += DX[d]!;
    y += DY[d]!;
    // Pixels just ahead of the vertex, on the right and left of the current direction. The
    // right-hand normal of (dx, dy) in y-down coordinates is (-dy, dx).
    const ax = x + (DX[d]! - DY[d]! - 1) / 2, ay = y + (DY[d]! + DX[d]! - 1) / 2;
    const bx = x + (DX[d]! + DY[d]! - 1) / 2, by = y + (DY[d]! - DX[d]! - 1) / 2;
    const right = inside(ax, ay);
    const left = inside(bx, by);
    // Turning right before considering the left pixel keeps diagonal neighbours apart (4-connectivity).
    let nd = d;
    if (!right) nd = (d + 1) % 4;
    else if (left) nd = (d + 3) % 4;
    if (nd !== d) ring.push(x, y);
    d = nd;
  } while (!(x === sx && y === sy && d === 0));
  return ring;
}

function pointSegmentDistance(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const vx = bx - ax, vy = by - ay;
  const len2 = vx * vx + vy * vy;
  let t = len2 === 0 ? 0 : ((px - ax) * vx + (py - ay) * vy) / len2;
  t = Math.max(0, Math.min(1, t));
  return Math.hypot(px - (ax + t * vx), py - (ay + t * vy));
}

/** Douglas–Peucker on the open chain pts[i..j] (point indices), marking kept points. */
function simplifyChain(pts: Ring, i: number, j: number, tol: number, keep: Uint8Array): void {
  // Iterative to stay clear of the stack limit on long contours.
  const stack: [number, number][] = [[i, j]];
  while (stack.length) {
    const [a, b] = stack.pop()!;
    let best = -1, bestDist = tol;
    for (let k = a + 1; k < b; k++) {
      const dist = pointSegmentDistance(pts[2 * k]!, pts[2 * k + 1]!, pts[2 * a]!, pts[2 * a + 1]!, pts[2 * b]!, pts[2 * b + 1]!);
      if (dist > bestDist) {
        best = k;
        bestDist = dist;
      }
    }
    if (best < 0) continue;
    keep[best] = 1;
    stack.push([a, best], [best, b]);
  }
}

/** Douglas–Peucker for a closed ring: anchored at its first point and the point farthest from it. */
export function simplifyRing(ring: Ring, tolerance: number): Ring {
  const n = ring.length / 2;
  if (n <= 3 || tolerance <= 0) return ring.slice();
  let far = 0, farDist = -1;
  for (let k = 1; k < n; k++) {
    const dist = Math.hypot(ring[2 * k]! - ring[0]!, ring[2 * k + 1]! - ring[1]!);
    if (dist > farDist) {
      far = k;
      farDist = dist;
    }
  }
  const closed = [...ring, ring[0]!, ring[1]!];
  const keep = new Uint8Array(n + 1);
  keep[0] = keep[far] = keep[n] = 1;
  simplifyChain(closed, 0, far, tolerance, keep);
  simplifyChain(closed, far, n, tolerance, keep);
  const out: Ring = [];
  for (let k = 0; k < n; k++) if (keep[k]) out.push(ring[2 * k]!, ring[2 * k + 1]!);
  return out;
}

export interface MaskToPolygonsOptions {
  /** Douglas–Peucker tolerance in pixels; 0 keeps every corner. */
  tolerance?: number;
  /** Components with fewer pixels are dropped (speckle from thresholded predictions). */
  minPixels?: number;
}

/**
 * Polygons (COCO rings, [x1, y1, x2, y2, ...]) outlining a row-major 0/1 mask: one ring per
 * 4-connected component, largest first. Rings that simplification reduces below three points are
 * dropped.
 */
export function maskToPolygons(mask: ArrayLike<number>, height: number, width: number, options: MaskToPolygonsOptions = {}): Ring[] {
  if (mask.length !== height * width) throw new Error(`mask has ${mask.length} pixels, expected ${height}x${width}`);
  const { tolerance = 0, minPixels = 1 } = options;
  const { labels, starts } = labelComponents(mask, height, width);
  const sizes = new Array<number>(starts.length + 1).fill(0);
  for (const l of labels) sizes[l]!++;
  const order = starts.map((_, i) => i + 1).sort((a, b) => sizes[b]! - sizes[a]! || a - b);
  const rings: Ring[] = [];
  for (const label of order) {
    if (sizes[label]! < minPixels) continue;
    const ring = simplifyRing(traceOuter(labels, height, width, label, starts[label - 1]!), tolerance);
    if (ring.length >= 6) rings.push(ring);
  }
  return rings;
}
