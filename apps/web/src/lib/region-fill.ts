// Fills a region on a 2D canvas by coco's hole rule (ring-nesting.ts), as the server rasterises it:
// each filled ring minus its own holes, united. Canvas fill rules cannot say that on their own
// (even-odd empties the overlap of two parts, non-zero fills the overlap of two holes), so a region
// without holes is one non-zero path with every ring wound the same way, and a region with holes is
// composed on an offscreen layer: each holed ring is filled and its holes erased, then the rest is
// filled on top, and the layer is drawn once at the wanted opacity.

import { ringArea, type Ring, type RingNesting } from '@segmenta/coco';

export interface RegionPaths {
  /** Every ring, wound one way: the outline to stroke, and the fill of a region without holes. */
  all: Path2D;
  /** Per filled ring, its path and the union of its holes; null when the region has no holes. */
  parts: { ring: Path2D; holes: Path2D | null }[] | null;
}

/** Signed shoelace sum: positive for clockwise rings on screen (y down). */
function clockwise(ring: Ring): boolean {
  let sum = 0;
  const n = ring.length / 2;
  for (let i = 0, j = n - 1; i < n; j = i++) sum += ring[2 * j]! * ring[2 * i + 1]! - ring[2 * i]! * ring[2 * j + 1]!;
  return sum >= 0;
}

/**
 * Adds a closed ring to `path`, clockwise whatever its own winding; vertices closer than
 * sqrt(minStep2) to the last one drawn are skipped (level of detail when zoomed out).
 */
export function addRing(path: Path2D, ring: Ring, minStep2 = 0): void {
  const n = ring.length / 2;
  if (n === 0) return;
  const forward = clockwise(ring);
  const at = (k: number) => (forward ? k : (n - k) % n);
  let lx = ring[2 * at(0)]!;
  let ly = ring[2 * at(0) + 1]!;
  path.moveTo(lx, ly);
  for (let k = 1; k < n; k++) {
    const i = at(k);
    const x = ring[2 * i]!;
    const y = ring[2 * i + 1]!;
    if (minStep2 > 0 && (x - lx) ** 2 + (y - ly) ** 2 < minStep2 && k + 1 < n) continue;
    path.lineTo(x, y);
    lx = x;
    ly = y;
  }
  path.closePath();
}

/** Paths of a region's rings under its nesting. */
export function regionPaths(rings: readonly Ring[], nesting: RingNesting, minStep2 = 0): RegionPaths {
  const all = new Path2D();
  for (const ring of rings) addRing(all, ring, minStep2);
  if (!nesting.depth.some((d) => d % 2 === 1)) return { all, parts: null };
  const parts = rings.flatMap((ring, i) => {
    if (nesting.depth[i]! % 2 !== 0 || ringArea(ring) === 0) return [];
    const path = new Path2D();
    addRing(path, ring, minStep2);
    let holes: Path2D | null = null;
    rings.forEach((hole, k) => {
      if (nesting.parent[k] !== i) return;
      holes ??= new Path2D();
      addRing(holes, hole, minStep2);
    });
    return [{ ring: path, holes }];
  });
  return { all, parts };
}

const scratch: (HTMLCanvasElement | null)[] = [null, null];
/** Offscreen canvas `k`, at least w×h, cleared, with the identity transform. */
function layer(k: number, w: number, h: number): CanvasRenderingContext2D {
  let c = scratch[k];
  if (!c) scratch[k] = c = document.createElement('canvas');
  if (c.width < w || c.height < h) {
    c.width = Math.max(c.width, w);
    c.height = Math.max(c.height, h);
  }
  const ctx = c.getContext('2d')!;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.globalCompositeOperation = 'source-over';
  ctx.clearRect(0, 0, w, h);
  return ctx;
}

/** Fills the region in `color` at `alpha` through ctx's current transform. */
export function fillRegion(ctx: CanvasRenderingContext2D, region: RegionPaths, color: string, alpha: number): void {
  if (!region.parts) {
    ctx.globalAlpha = alpha;
    ctx.fillStyle = color;
    ctx.fill(region.all, 'nonzero');
    ctx.globalAlpha = 1;
    return;
  }
  const { width: w, height: h } = ctx.canvas;
  const t = ctx.getTransform();
  const out = layer(0, w, h);
  const holed = region.parts.filter((p) => p.holes);
  for (const p of holed) {
    // With one holed ring the erasing can happen on the layer itself: nothing else is drawn yet.
    const s = holed.length === 1 ? out : layer(1, w, h);
    s.setTransform(t);
    s.fillStyle = color;
    s.fill(p.ring, 'nonzero');
    s.globalCompositeOperation = 'destination-out';
    s.fill(p.holes!, 'nonzero');
    s.globalCompositeOperation = 'source-over';
    if (s !== out) out.drawImage(s.canvas, 0, 0, w, h, 0, 0, w, h);
  }
  out.setTransform(t);
  out.fillStyle = color;
  for (const p of region.parts) if (!p.holes) out.fill(p.ring, 'nonzero');
  ctx.save();
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.globalAlpha = alpha;
  ctx.drawImage(out.canvas, 0, 0, w, h, 0, 0, w, h);
  ctx.restore();
}
