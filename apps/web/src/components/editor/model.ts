// The editor's document: instances in original-image pixels, immutable so that undo history can share
// unchanged instances and the renderer can cache one Path2D per instance object.
import { instanceRasterArea, polygonsBbox, ringNesting, ringSelfIntersects, type RingNesting } from '@segmenta/coco';
import type { AnnotationDto, AnnotationFlag, AnnotationSource } from '@segmenta/contracts';

export interface Instance {
  /** Local identity, stable across edits and undo (server ids arrive only after the first save). */
  key: string;
  id?: string;
  classId: string;
  polygons: number[][];
  iscrowd: 0 | 1;
  source: AnnotationSource;
  /** Flags the server reported when the instance was last loaded or saved. */
  flags: AnnotationFlag[];
  /** For crowd regions stored as RLE (no polygons): the server's bbox, drawn dashed. */
  bbox?: [number, number, number, number];
}

export interface Doc {
  instances: Instance[];
}

let counter = 0;
export const newKey = () => `i${Date.now().toString(36)}-${(counter++).toString(36)}`;

export function fromDto(a: AnnotationDto): Instance {
  return { key: newKey(), id: a.id, classId: a.classId, polygons: a.polygons.map((r) => [...r]), iscrowd: a.iscrowd, source: a.source, flags: [...a.flags], bbox: a.bbox };
}

/** RLE crowd regions come without polygons; they are kept as they are and cannot be edited. */
export const isRleOnly = (inst: Instance) => inst.polygons.length === 0;

const nestingCache = new WeakMap<Instance, RingNesting>();
/** Which rings are holes (coco's rule, as the server stores it), cached per instance object since instances are immutable. */
export function instanceNesting(inst: Instance): RingNesting {
  let n = nestingCache.get(inst);
  if (!n) nestingCache.set(inst, (n = ringNesting(inst.polygons)));
  return n;
}

const areaCache = new WeakMap<Instance, { width: number; height: number; area: number }>();
/** The area the server stores: pixels of the rasterised instance on the image, holes cut. */
export function instanceArea(inst: Instance, width: number, height: number): number {
  if (isRleOnly(inst)) return 0;
  const hit = areaCache.get(inst);
  if (hit && hit.width === width && hit.height === height) return hit.area;
  const area = instanceRasterArea(inst.polygons, height, width);
  areaCache.set(inst, { width, height, area });
  return area;
}
export const instanceBbox = (inst: Instance) => (isRleOnly(inst) ? (inst.bbox ?? [0, 0, 0, 0]) : polygonsBbox(inst.polygons));

export const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** An edit makes a model-made or imported instance the annotator's own. */
function edited(inst: Instance, polygons: number[][]): Instance {
  return { ...inst, polygons, source: 'manual', flags: inst.flags.filter((f) => f !== 'clamped' && f !== 'self_intersecting') };
}

export function replaceRing(inst: Instance, part: number, ring: number[]): Instance {
  return edited(inst, inst.polygons.map((r, i) => (i === part ? ring : r)));
}

export function moveVertex(inst: Instance, part: number, index: number, x: number, y: number): Instance {
  const ring = [...inst.polygons[part]!];
  ring[2 * index] = x;
  ring[2 * index + 1] = y;
  return replaceRing(inst, part, ring);
}

/** Inserts a vertex between `index` and the next one; the new vertex gets index + 1. */
export function insertVertex(inst: Instance, part: number, index: number, x: number, y: number): Instance {
  const ring = [...inst.polygons[part]!];
  ring.splice(2 * (index + 1), 0, x, y);
  return replaceRing(inst, part, ring);
}

/** Removing a vertex of a triangle removes that part; removing the last part removes the instance (null). */
export function deleteVertex(inst: Instance, part: number, index: number): Instance | null {
  const ring = inst.polygons[part]!;
  if (ring.length <= 6) return deletePart(inst, part);
  const next = [...ring];
  next.splice(2 * index, 2);
  return replaceRing(inst, part, next);
}

export function deletePart(inst: Instance, part: number): Instance | null {
  const polygons = inst.polygons.filter((_, i) => i !== part);
  return polygons.length === 0 ? null : edited(inst, polygons);
}

export function addPart(inst: Instance, ring: number[]): Instance {
  return edited(inst, [...inst.polygons, ring]);
}

/** Moves every part by (dx, dy), limited so that the whole instance stays inside the image. */
export function translate(inst: Instance, dx: number, dy: number, width: number, height: number): Instance {
  const [bx, by, bw, bh] = polygonsBbox(inst.polygons);
  const ddx = clamp(dx, -bx, width - (bx + bw));
  const ddy = clamp(dy, -by, height - (by + bh));
  return edited(
    inst,
    inst.polygons.map((r) => r.map((v, i) => (i % 2 === 0 ? v + ddx : v + ddy))),
  );
}

export function setClass(inst: Instance, classId: string): Instance {
  return { ...inst, classId, source: inst.classId === classId ? inst.source : 'manual' };
}

export const updateInstance = (doc: Doc, key: string, f: (i: Instance) => Instance | null): Doc => ({
  instances: doc.instances.flatMap((i) => {
    if (i.key !== key) return [i];
    const next = f(i);
    return next ? [next] : [];
  }),
});

export const removeInstance = (doc: Doc, key: string): Doc => ({ instances: doc.instances.filter((i) => i.key !== key) });

const crossingCache = new WeakMap<number[], boolean>();

/** The server's own check (coco), cached per ring object since rings are immutable here. */
export function selfIntersects(ring: number[]): boolean {
  let found = crossingCache.get(ring);
  if (found === undefined) crossingCache.set(ring, (found = ringSelfIntersects(ring)));
  return found;
}

/** Flags shown in the region list: the server's, with self-intersection recomputed live while editing. */
export function displayFlags(inst: Instance): AnnotationFlag[] {
  if (isRleOnly(inst)) return inst.flags;
  const flags: AnnotationFlag[] = inst.flags.filter((f) => f !== 'self_intersecting');
  if (inst.polygons.some(selfIntersects)) flags.push('self_intersecting');
  return flags;
}

export const sameGeometry = (a: Instance, b: Instance) =>
  a.classId === b.classId && a.iscrowd === b.iscrowd && a.polygons.length === b.polygons.length && a.polygons.every((r, i) => r.length === b.polygons[i]!.length && r.every((v, j) => Math.abs(v - b.polygons[i]![j]!) < 1e-6));
