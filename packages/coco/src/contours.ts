// Mask → editable polygons: trace the boundaries of every 4-connected component along pixel edges
// (its outline and the outline of each hole), then simplify with Douglas–Peucker. Vertices sit on
// pixel corners, which is where pycocotools' rasteriser (pixel c covers [c, c+1)) puts a mask's
// boundary, so an unsimplified trace rasterises back to the same pixels under the hole rule
// (ring-nesting.ts): a hole's ring lies inside its component's outline, and a component inside a
// hole (an island) is traced as an outline of its own, inside the hole's ring.
//
// Parts are 4-connected and background 8-connected (the usual pairing, so that every boundary is one
// closed curve): two pixels touching at a corner are two parts, and background touching the outside
// at a corner is not a hole.

import { pointSegmentDistance, type Ring } from './geometry';

/** Directions in image coordinates (y down): right, down, left, up. A right turn is d + 1. */
const DX = [1, 0, -1, 0] as const;
const DY = [0, 1, 0, -1] as const;

/**
 * Component labels (1-based, 0 = not `value`) of the pixels equal to `value`, 4- or 8-connected,
 * with each label's first pixel in row-major order and its pixel count.
 */
function labelComponents(mask: ArrayLike<number>, h: number, w: number, value: 0 | 1, eight: boolean): { labels: Int32Array; starts: number[]; sizes: number[] } {
  const labels = new Int32Array(h * w);
  const starts: number[] = [];
  const sizes: number[] = [];
  const stack: number[] = [];
  const is = (i: number) => (mask[i] ? 1 : 0) === value;
  for (let i = 0; i < h * w; i++) {
    if (!is(i) || labels[i]) continue;
    const label = starts.length + 1;
    starts.push(i);
    let size = 0;
    labels[i] = label;
    stack.push(i);
    while (stack.length) {
      const p = stack.pop()!;
      size++;
      const x = p % w;
      const y = (p - x) / w;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          if ((dx === 0 && dy === 0) || (!eight && dx !== 0 && dy !== 0)) continue;
          const nx = x + dx, ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
          const q = ny * w + nx;
          if (is(q) && !labels[q]) {
            labels[q] = label;
            stack.push(q);
          }
        }
      }
    }
    sizes.push(size);
  }
  return { labels, starts, sizes };
}

/**
 * One boundary of a component, walked from vertex (sx, sy) in direction d0 with the component on
 * the right-hand side, as corner coordinates with only the turning points kept. From the top-left
 * corner of the component's first pixel rightwards it is the outline (clockwise on screen); from
 * the top-right corner of a hole's first pixel leftwards, that hole's outline.
 */
function traceBoundary(labels: Int32Array, h: number, w: number, label: number, sx: number, sy: number, d0: number): Ring {
  const inside = (x: number, y: number) => x >= 0 && y >= 0 && x < w && y < h && labels[y * w + x] === label;
  let x = sx, y = sy, d = d0;
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
  } while (!(x === sx && y === sy && d === d0));
  return ring;
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
  /** Components with fewer pixels are dropped, and holes with fewer pixels filled (speckle from thresholded predictions). */
  minPixels?: number;
}

/** One 4-connected component: its outline and the outlines of its holes (largest first). */
export interface MaskRegion {
  outer: Ring;
  holes: Ring[];
  /** Pixels of the component itself. */
  pixels: number;
}

/**
 * The components of a row-major 0/1 mask, largest first, each with its holes. A component inside a
 * hole is a region of its own (an island); one inside a hole that is filled (under minPixels) goes
 * with it. Rings that simplification reduces below three points are dropped.
 */
export function maskToRegions(mask: ArrayLike<number>, height: number, width: number, options: MaskToPolygonsOptions = {}): MaskRegion[] {
  if (mask.length !== height * width) throw new Error(`mask has ${mask.length} pixels, expected ${height}x${width}`);
  // Labelling works inside the mask's bounding box only: background there that reaches the box's
  // edge is outside anyway, and a small instance on a 12-MP image must not cost 12 M pixels twice.
  let x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!mask[y * width + x]) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  if (x1 < 0) return [];
  const cw = x1 - x0 + 1, ch = y1 - y0 + 1;
  const crop = new Uint8Array(cw * ch);
  for (let y = 0; y < ch; y++) for (let x = 0; x < cw; x++) crop[y * cw + x] = mask[(y0 + y) * width + x0 + x] ? 1 : 0;
  const shift = (ring: Ring) => ring.map((v, i) => v + (i % 2 === 0 ? x0 : y0));
  return regionsOf(crop, ch, cw, options).map((r) => ({ outer: shift(r.outer), holes: r.holes.map(shift), pixels: r.pixels }));
}

function regionsOf(mask: Uint8Array, h: number, w: number, options: MaskToPolygonsOptions): MaskRegion[] {
  const { tolerance = 0, minPixels = 1 } = options;
  const parts = labelComponents(mask, h, w, 1, false);
  const gaps = labelComponents(mask, h, w, 0, true);
  // Background touching the border is outside; every other background component is a hole of the
  // part just above its first pixel (that pixel's bottom edge is on the hole's outline).
  const outside = new Uint8Array(gaps.starts.length + 1);
  for (let x = 0; x < w; x++) outside[gaps.labels[x]!] = outside[gaps.labels[(h - 1) * w + x]!] = 1;
  for (let y = 0; y < h; y++) outside[gaps.labels[y * w]!] = outside[gaps.labels[y * w + w - 1]!] = 1;
  const holesOf = new Map<number, number[]>();
  gaps.starts.forEach((start, i) => {
    const gap = i + 1;
    if (outside[gap]) return;
    const owner = parts.labels[start - w]!;
    const list = holesOf.get(owner);
    if (list) list.push(gap);
    else holesOf.set(owner, [gap]);
  });
  // A part lies in the hole just above its first pixel (if any); when that hole is filled, so is the part.
  const filledGap = new Uint8Array(gaps.starts.length + 1);
  const keptPart = new Uint8Array(parts.starts.length + 1);
  // Labels follow scan order, so a part's enclosing hole (above it, owned by an earlier part) is settled first.
  for (let label = 1; label <= parts.starts.length; label++) {
    const start = parts.starts[label - 1]!;
    const around = start >= w ? gaps.labels[start - w]! : 0;
    keptPart[label] = parts.sizes[label - 1]! >= minPixels && !(around && filledGap[around]) ? 1 : 0;
    // A dropped part leaves its holes' contents standing on their own.
    for (const gap of holesOf.get(label) ?? []) filledGap[gap] = keptPart[label] && gaps.sizes[gap - 1]! < minPixels ? 1 : 0;
  }
  const simplified = (ring: Ring) => simplifyRing(ring, tolerance);
  const regions: MaskRegion[] = [];
  const bySize = (a: number, b: number, sizes: number[]) => sizes[b - 1]! - sizes[a - 1]! || a - b;
  for (const label of parts.starts.map((_, i) => i + 1).sort((a, b) => bySize(a, b, parts.sizes))) {
    if (!keptPart[label]) continue;
    const start = parts.starts[label - 1]!;
    const outer = simplified(traceBoundary(parts.labels, h, w, label, start % w, Math.floor(start / w), 0));
    if (outer.length < 6) continue;
    const holes: Ring[] = [];
    for (const gap of (holesOf.get(label) ?? []).sort((a, b) => bySize(a, b, gaps.sizes))) {
      if (filledGap[gap]) continue;
      const g = gaps.starts[gap - 1]!;
      const ring = simplified(traceBoundary(parts.labels, h, w, label, (g % w) + 1, Math.floor(g / w), 2));
      if (ring.length >= 6) holes.push(ring);
    }
    regions.push({ outer, holes, pixels: parts.sizes[label - 1]! });
  }
  return regions;
}

/**
 * Rings (COCO-style [x1, y1, x2, y2, ...]) outlining a row-major 0/1 mask under the hole rule: for
 * each component, largest first, its outline and then its holes.
 */
export function maskToPolygons(mask: ArrayLike<number>, height: number, width: number, options: MaskToPolygonsOptions = {}): Ring[] {
  return maskToRegions(mask, height, width, options).flatMap((r) => [r.outer, ...r.holes]);
}
