import sharp from 'sharp';
import { seededRandom } from '@segmenta/contracts';

// Synthetic "shapes on textured backgrounds" scenes with exact instance polygons: demo data for the
// seed, and a dataset the model can really learn in tests and benchmarks.

export type ShapeKind = 'circle' | 'square' | 'triangle' | 'star' | 'hexagon' | 'diamond' | 'cross' | 'ellipse' | 'pentagon' | 'arrow';
export const SHAPE_KINDS: readonly ShapeKind[] = ['circle', 'square', 'triangle', 'star', 'hexagon', 'diamond', 'cross', 'ellipse', 'pentagon', 'arrow'];

export interface SyntheticInstance {
  classIndex: number;
  /** One closed ring in pixels: [x1, y1, x2, y2, ...]. */
  polygon: number[];
}

export interface SyntheticScene {
  width: number;
  height: number;
  png: Buffer;
  instances: SyntheticInstance[];
}

export interface SceneOptions {
  width: number;
  height: number;
  /** Class i is drawn as SHAPE_KINDS[i % 10]; its fill colour comes from `colors[i]`. */
  classCount: number;
  colors?: readonly string[];
  minInstances?: number;
  maxInstances?: number;
  seed: number;
}

function shapePolygon(kind: ShapeKind, cx: number, cy: number, r: number, rot: number): [number, number][] {
  const ring = (n: number, radius: (i: number) => number, phase = 0) =>
    Array.from({ length: n }, (_, i): [number, number] => {
      const a = rot + phase + (2 * Math.PI * i) / n;
      return [cx + radius(i) * Math.cos(a), cy + radius(i) * Math.sin(a)];
    });
  switch (kind) {
    case 'circle':
      return ring(24, () => r);
    case 'ellipse':
      return ring(24, () => r).map(([x, y]) => [cx + (x - cx), cy + (y - cy) * 0.55]);
    case 'square':
      return ring(4, () => r, Math.PI / 4);
    case 'diamond':
      return ring(4, (i) => (i % 2 ? r * 0.6 : r));
    case 'triangle':
      return ring(3, () => r, -Math.PI / 2);
    case 'pentagon':
      return ring(5, () => r, -Math.PI / 2);
    case 'hexagon':
      return ring(6, () => r);
    case 'star':
      return ring(10, (i) => (i % 2 ? r * 0.45 : r), -Math.PI / 2);
    case 'cross': {
      const t = r * 0.35;
      const pts: [number, number][] = [[-t, -r], [t, -r], [t, -t], [r, -t], [r, t], [t, t], [t, r], [-t, r], [-t, t], [-r, t], [-r, -t], [-t, -t]];
      return rotate(pts, cx, cy, rot);
    }
    case 'arrow': {
      const pts: [number, number][] = [[-r, -r * 0.25], [r * 0.2, -r * 0.25], [r * 0.2, -r * 0.6], [r, 0], [r * 0.2, r * 0.6], [r * 0.2, r * 0.25], [-r, r * 0.25]];
      return rotate(pts, cx, cy, rot);
    }
  }
}

function rotate(pts: [number, number][], cx: number, cy: number, rot: number): [number, number][] {
  const c = Math.cos(rot);
  const s = Math.sin(rot);
  return pts.map(([x, y]) => [cx + x * c - y * s, cy + x * s + y * c]);
}

const FALLBACK_COLORS = ['#E69F00', '#56B4E9', '#009E73', '#D55E00', '#CC79A7', '#F0E442', '#0072B2', '#882255', '#44AA99', '#999933'];

/** Smooth value-noise texture so backgrounds are neither flat nor pure noise. */
function texture(width: number, height: number, rand: () => number): Buffer {
  const cell = 16;
  const gw = Math.ceil(width / cell) + 2;
  const gh = Math.ceil(height / cell) + 2;
  const grid = Float32Array.from({ length: gw * gh }, () => rand());
  const base = [60 + rand() * 120, 60 + rand() * 120, 60 + rand() * 120];
  const out = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    const gy = y / cell;
    const y0 = Math.floor(gy);
    const fy = gy - y0;
    for (let x = 0; x < width; x++) {
      const gx = x / cell;
      const x0 = Math.floor(gx);
      const fx = gx - x0;
      const v =
        grid[y0 * gw + x0]! * (1 - fx) * (1 - fy) +
        grid[y0 * gw + x0 + 1]! * fx * (1 - fy) +
        grid[(y0 + 1) * gw + x0]! * (1 - fx) * fy +
        grid[(y0 + 1) * gw + x0 + 1]! * fx * fy;
      const o = (y * width + x) * 3;
      for (let c = 0; c < 3; c++) out[o + c] = Math.max(0, Math.min(255, base[c]! + (v - 0.5) * 70 + (rand() - 0.5) * 12));
    }
  }
  return out;
}

const round1 = (v: number) => Math.round(v * 10) / 10;

/** Renders one scene with `minInstances`..`maxInstances` non-overlapping shapes (fewer if they do not fit). */
export async function renderScene(opts: SceneOptions): Promise<SyntheticScene> {
  const { width, height, classCount, seed } = opts;
  if (classCount < 1) throw new Error('classCount must be at least 1');
  const rand = seededRandom(seed);
  const colors = opts.colors ?? FALLBACK_COLORS;
  const minN = opts.minInstances ?? 1;
  const maxN = opts.maxInstances ?? 4;
  const count = minN + Math.floor(rand() * (maxN - minN + 1));
  const instances: SyntheticInstance[] = [];
  const shapesSvg: string[] = [];
  const short = Math.min(width, height);
  const placed: { cx: number; cy: number; r: number }[] = [];
  for (let i = 0; i < count; i++) {
    const classIndex = Math.floor(rand() * classCount);
    // Instances do not overlap, so every polygon is exactly what is visible (no occlusion to model).
    let spot: { cx: number; cy: number; r: number } | undefined;
    for (let attempt = 0; attempt < 30 && !spot; attempt++) {
      const r = short * (0.08 + rand() * 0.14);
      const cx = r + rand() * (width - 2 * r);
      const cy = r + rand() * (height - 2 * r);
      if (placed.every((p) => Math.hypot(p.cx - cx, p.cy - cy) > p.r + r + 2)) spot = { cx, cy, r };
    }
    if (!spot) continue;
    placed.push(spot);
    const { cx, cy, r } = spot;
    const pts = shapePolygon(SHAPE_KINDS[classIndex % SHAPE_KINDS.length]!, cx, cy, r, rand() * Math.PI * 2).map(
      ([x, y]): [number, number] => [round1(Math.min(width, Math.max(0, x))), round1(Math.min(height, Math.max(0, y)))],
    );
    const color = colors[classIndex % colors.length]!;
    shapesSvg.push(`<polygon points="${pts.map((p) => p.join(',')).join(' ')}" fill="${color}" stroke="#111" stroke-width="1"/>`);
    instances.push({ classIndex, polygon: pts.flat() });
  }
  const svg = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${shapesSvg.join('')}</svg>`);
  const png = await sharp(texture(width, height, rand), { raw: { width, height, channels: 3 } })
    .composite([{ input: svg, top: 0, left: 0 }])
    .png()
    .toBuffer();
  return { width, height, png, instances };
}
