// Canvas 2D drawing of the overlay. Region outlines are cached as Path2Ds per instance object in
// image pixels and drawn through the view transform, so a pan or zoom frame costs a transform and a
// fill/stroke per instance, not a rebuild of 20,000 vertices. Fills follow the hole rule the server
// stores (lib/region-fill). Handles are drawn in screen pixels.
import { fillRegion, regionPaths, type RegionPaths } from '@/lib/region-fill';
import { HANDLE_PX } from './hit';
import { instanceBbox, instanceNesting, isRleOnly, type Instance } from './model';
import { toScreen, type View } from './view';

export interface Scene {
  instances: readonly Instance[];
  view: View;
  colors: ReadonlyMap<string, string>;
  hidden: ReadonlySet<string>;
  selectedKey: string | null;
  selectedVertex: { part: number; index: number } | null;
  hoverKey: string | null;
  /** Polygon being drawn, image px, and where the pointer is (image px) for the rubber band. */
  draft: number[] | null;
  cursor: { x: number; y: number } | null;
  opacity: number;
  /** True while panning/zooming: midpoint handles are skipped to keep frames cheap. */
  moving: boolean;
}

// Level of detail: zoomed out, vertices closer than about a screen pixel are dropped from the path
// (radial-distance simplification), so 20,000 vertices on a small screen cost what is visible.
const pathCache = new WeakMap<Instance, Map<number, RegionPaths>>();
const bboxCache = new WeakMap<Instance, [number, number, number, number]>();

function detailStep(scale: number): number {
  const tol = 0.75 / scale;
  return tol < 1 ? 0 : 2 ** Math.ceil(Math.log2(tol));
}

/** The instance's paths (outline, and its fill by the hole rule) at one level of detail. */
export function instancePaths(inst: Instance, step: number): RegionPaths {
  let byStep = pathCache.get(inst);
  if (!byStep) pathCache.set(inst, (byStep = new Map()));
  let p = byStep.get(step);
  if (!p) byStep.set(step, (p = regionPaths(inst.polygons, instanceNesting(inst), step * step)));
  return p;
}

function bboxOf(inst: Instance): [number, number, number, number] {
  let b = bboxCache.get(inst);
  if (!b) bboxCache.set(inst, (b = instanceBbox(inst)));
  return b;
}

const FALLBACK = '#6366f1';

export function drawScene(ctx: CanvasRenderingContext2D, cssW: number, cssH: number, dpr: number, s: Scene) {
  const { view } = s;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, cssW * dpr, cssH * dpr);
  ctx.setTransform(dpr * view.scale, 0, 0, dpr * view.scale, dpr * view.x, dpr * view.y);
  ctx.lineJoin = 'round';
  const step = detailStep(view.scale);
  // The image rectangle on screen, for culling what lies outside the canvas.
  const x0 = -view.x / view.scale, y0 = -view.y / view.scale;
  const x1 = (cssW - view.x) / view.scale, y1 = (cssH - view.y) / view.scale;
  let selected: Instance | null = null;
  for (const inst of s.instances) {
    if (s.hidden.has(inst.key)) continue;
    const emphasised = inst.key === s.selectedKey || inst.key === s.hoverKey;
    const [bx, by, bw, bh] = bboxOf(inst);
    if (bx > x1 || by > y1 || bx + bw < x0 || by + bh < y0) {
      if (inst.key === s.selectedKey) selected = inst;
      continue;
    }
    const color = s.colors.get(inst.classId) ?? FALLBACK;
    if (inst.key === s.selectedKey) selected = inst;
    if (isRleOnly(inst)) {
      const [x, y, w, h] = inst.bbox ?? [0, 0, 0, 0];
      ctx.setLineDash([6 / view.scale, 4 / view.scale]);
      ctx.strokeStyle = color;
      ctx.lineWidth = (emphasised ? 3 : 1.5) / view.scale;
      ctx.strokeRect(x, y, w, h);
      ctx.setLineDash([]);
      continue;
    }
    const paths = instancePaths(inst, inst.key === s.selectedKey ? 0 : step);
    fillRegion(ctx, paths, color, Math.min(1, s.opacity * (emphasised ? 1.6 : 1)));
    ctx.strokeStyle = color;
    ctx.lineWidth = (emphasised ? 3 : 1.5) / view.scale;
    ctx.stroke(paths.all);
  }
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  if (selected && !isRleOnly(selected)) drawHandles(ctx, selected, s);
  if (s.draft) drawDraft(ctx, s.draft, s);
}

function drawHandles(ctx: CanvasRenderingContext2D, inst: Instance, s: Scene) {
  const h = HANDLE_PX;
  ctx.lineWidth = 1.5;
  inst.polygons.forEach((ring, part) => {
    const n = ring.length / 2;
    if (!s.moving) {
      // "+" handles at edge midpoints: drag one to insert a vertex there.
      ctx.fillStyle = 'rgba(255,255,255,0.75)';
      ctx.strokeStyle = '#334155';
      for (let i = 0; i < n; i++) {
        const j = (i + 1) % n;
        const a = toScreen(s.view, { x: ring[2 * i]!, y: ring[2 * i + 1]! });
        const b = toScreen(s.view, { x: ring[2 * j]!, y: ring[2 * j + 1]! });
        if (Math.hypot(b.x - a.x, b.y - a.y) < 4 * h) continue;
        const mx = (a.x + b.x) / 2;
        const my = (a.y + b.y) / 2;
        ctx.beginPath();
        ctx.arc(mx, my, h / 2 + 0.5, 0, Math.PI * 2);
        ctx.fill();
        ctx.stroke();
      }
    }
    for (let i = 0; i < n; i++) {
      const p = toScreen(s.view, { x: ring[2 * i]!, y: ring[2 * i + 1]! });
      const isSel = s.selectedVertex?.part === part && s.selectedVertex.index === i;
      ctx.fillStyle = isSel ? '#f59e0b' : '#ffffff';
      ctx.strokeStyle = '#0f172a';
      ctx.fillRect(p.x - h / 2, p.y - h / 2, h, h);
      ctx.strokeRect(p.x - h / 2, p.y - h / 2, h, h);
    }
  });
}

function drawDraft(ctx: CanvasRenderingContext2D, draft: number[], s: Scene) {
  const pts = [];
  for (let i = 0; i < draft.length; i += 2) pts.push(toScreen(s.view, { x: draft[i]!, y: draft[i + 1]! }));
  if (pts.length === 0) return;
  ctx.strokeStyle = '#f59e0b';
  ctx.lineWidth = 2;
  ctx.beginPath();
  ctx.moveTo(pts[0]!.x, pts[0]!.y);
  for (const p of pts.slice(1)) ctx.lineTo(p.x, p.y);
  if (s.cursor) {
    const c = toScreen(s.view, s.cursor);
    ctx.lineTo(c.x, c.y);
  }
  ctx.stroke();
  const h = HANDLE_PX;
  pts.forEach((p, i) => {
    const size = i === 0 ? h + 4 : h;
    ctx.fillStyle = i === 0 ? '#fde68a' : '#ffffff';
    ctx.strokeStyle = '#b45309';
    ctx.fillRect(p.x - size / 2, p.y - size / 2, size, size);
    ctx.strokeRect(p.x - size / 2, p.y - size / 2, size, size);
  });
}
