// Hit testing in screen tolerance: handles keep their screen size at every zoom, so the tolerance is
// converted to image pixels through the view scale.
import { pointInInstance as inRegion } from '@segmenta/coco';
import { instanceNesting, type Instance } from './model';
import type { Point, View } from './view';

export const HANDLE_PX = 7;

export interface VertexHit {
  key: string;
  part: number;
  index: number;
}

export interface EdgeHit extends VertexHit {
  /** The closest point on the edge from vertex `index` to the next one, in image pixels. */
  point: Point;
}

/** The vertex of `inst` nearest to `p` (image px) within `tol` screen px, or null. */
export function hitVertex(inst: Instance, p: Point, view: View, tol = HANDLE_PX): VertexHit | null {
  const r = tol / view.scale;
  let best: VertexHit | null = null;
  let bestD = r * r;
  inst.polygons.forEach((ring, part) => {
    for (let i = 0; i < ring.length; i += 2) {
      const dx = ring[i]! - p.x;
      const dy = ring[i + 1]! - p.y;
      const d = dx * dx + dy * dy;
      if (d <= bestD) {
        bestD = d;
        best = { key: inst.key, part, index: i / 2 };
      }
    }
  });
  return best;
}

function closestOnSegment(p: Point, ax: number, ay: number, bx: number, by: number): Point {
  const vx = bx - ax;
  const vy = by - ay;
  const len = vx * vx + vy * vy;
  const t = len === 0 ? 0 : Math.max(0, Math.min(1, ((p.x - ax) * vx + (p.y - ay) * vy) / len));
  return { x: ax + t * vx, y: ay + t * vy };
}

/** The edge of `inst` nearest to `p` within `tol` screen px. */
export function hitEdge(inst: Instance, p: Point, view: View, tol = HANDLE_PX): EdgeHit | null {
  const r = tol / view.scale;
  let best: EdgeHit | null = null;
  let bestD = r * r;
  inst.polygons.forEach((ring, part) => {
    const n = ring.length / 2;
    for (let i = 0; i < n; i++) {
      const j = (i + 1) % n;
      const q = closestOnSegment(p, ring[2 * i]!, ring[2 * i + 1]!, ring[2 * j]!, ring[2 * j + 1]!);
      const d = (q.x - p.x) ** 2 + (q.y - p.y) ** 2;
      if (d <= bestD) {
        bestD = d;
        best = { key: inst.key, part, index: i, point: q };
      }
    }
  });
  return best;
}

/** Midpoint "+" handles: the middle of each edge long enough on screen to hold one. */
export function hitMidpoint(inst: Instance, p: Point, view: View, tol = HANDLE_PX): EdgeHit | null {
  const r = tol / view.scale;
  const minLen = (4 * HANDLE_PX) / view.scale;
  for (let part = 0; part < inst.polygons.length; part++) {
    const ring = inst.polygons[part]!;
    const n = ring.length / 2;
    for (let i = 0; i < n; i++) {
      const j = (i + 1) % n;
      const ax = ring[2 * i]!, ay = ring[2 * i + 1]!, bx = ring[2 * j]!, by = ring[2 * j + 1]!;
      if (Math.hypot(bx - ax, by - ay) < minLen) continue;
      const m = { x: (ax + bx) / 2, y: (ay + by) / 2 };
      if (Math.abs(m.x - p.x) <= r && Math.abs(m.y - p.y) <= r) return { key: inst.key, part, index: i, point: m };
    }
  }
  return null;
}

/** Inside the region as the server stores it: a hole's inside is not the region's. */
export const pointInInstance = (inst: Instance, p: Point) => inRegion(inst.polygons, p.x, p.y, instanceNesting(inst));

/** The topmost (last drawn) instance under `p` among those `pickable` allows. */
export function hitRegion(instances: readonly Instance[], p: Point, pickable: (i: Instance) => boolean): Instance | null {
  for (let k = instances.length - 1; k >= 0; k--) {
    const inst = instances[k]!;
    if (!pickable(inst) || inst.polygons.length === 0) continue;
    if (pointInInstance(inst, p)) return inst;
  }
  return null;
}
