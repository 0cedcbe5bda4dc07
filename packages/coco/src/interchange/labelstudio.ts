// Label Studio's JSON export (a list of tasks) → a COCO instances file. Label Studio stores shapes
// in percent of the image it was shown (`original_width` × `original_height`), so every point is
// scaled here; the image size itself is only known from a task's results (or `sizeOf`).

import { z } from 'zod';
import { polygonsArea, polygonsBbox, ringProblem, type Ring } from '../geometry';
import { formatPath, type CocoAnnotation, type CocoCategory, type CocoFile, type CocoImage, type CocoIssue } from '../schema';
import { baseFileName } from './filename';

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const size = z.number().int().positive();

const annotationSchema = z.looseObject({
  id: z.union([z.number(), z.string()]).optional(),
  was_cancelled: z.boolean().optional(),
  created_at: z.string().optional(),
  updated_at: z.string().optional(),
  result: z.array(
    z.looseObject({
      type: z.string(),
      value: z.unknown(),
      original_width: size.optional(),
      original_height: size.optional(),
    }),
  ),
});

const taskSchema = z.looseObject({
  id: z.union([z.number(), z.string()]).optional(),
  data: z.record(z.string(), z.unknown()),
  annotations: z.array(annotationSchema).default([]),
  // Label Studio before 1.0 called annotations "completions".
  completions: z.array(annotationSchema).optional(),
});

const polygonValue = z.looseObject({
  points: z.array(z.tuple([finite, finite])).min(3, 'a polygon needs at least 3 points'),
  polygonlabels: z.array(z.string()),
});

const rectangleValue = z.looseObject({
  x: finite,
  y: finite,
  width: finite.refine((v) => v >= 0, 'must be ≥ 0'),
  height: finite.refine((v) => v >= 0, 'must be ≥ 0'),
  rotation: finite.optional(),
  rectanglelabels: z.array(z.string()),
});

type LsAnnotation = z.infer<typeof annotationSchema>;
type ResultItem = LsAnnotation['result'][number];

export interface LabelStudioOptions {
  /** Key in `task.data` holding the image (the `$image` of the labeling config). */
  imageKey?: string;
  /** Size of an image whose task has no result to read it from (e.g. the stored upload's size). */
  sizeOf?: (fileName: string) => { width: number; height: number } | undefined;
}

export class LabelStudioFormatError extends Error {
  constructor(readonly issues: CocoIssue[]) {
    const shown = issues.slice(0, 5).map((i) => `${i.path}: ${i.message}`);
    const more = issues.length > 5 ? `\n… and ${issues.length - 5} more` : '';
    super(`invalid Label Studio export:\n${shown.join('\n')}${more}`);
    this.name = 'LabelStudioFormatError';
  }
}

const prefixed = (at: (string | number)[], issues: z.ZodError['issues']): CocoIssue[] =>
  issues.map((i) => ({ path: formatPath([...at, ...(i.path as (string | number)[])]), message: i.message }));

/** Order key of an annotation: last update, then creation, then its position (later wins). */
function stamp(a: LsAnnotation): number {
  const t = Date.parse(a.updated_at ?? a.created_at ?? '');
  return Number.isNaN(t) ? -Infinity : t;
}

function latestAnnotation(list: LsAnnotation[]): { ann: LsAnnotation; index: number } | null {
  let best: { ann: LsAnnotation; index: number } | null = null;
  list.forEach((ann, index) => {
    if (ann.was_cancelled) return;
    if (!best || stamp(ann) >= stamp(best.ann)) best = { ann, index };
  });
  return best;
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

interface Shape {
  label: string;
  ring: Ring;
}

/** A result item as a ring in pixels, or null (with a warning or error) when it is not one. */
function shapeOf(item: ResultItem, w: number, h: number, at: (string | number)[], errors: CocoIssue[], warnings: CocoIssue[]): Shape | null {
  const path = formatPath(at);
  let labels: string[];
  let ring: Ring;
  if (item.type === 'polygonlabels') {
    const r = polygonValue.safeParse(item.value);
    if (!r.success) {
      errors.push(...prefixed([...at, 'value'], r.error.issues));
      return null;
    }
    labels = r.data.polygonlabels;
    ring = r.data.points.flatMap(([x, y]) => [(x * w) / 100, (y * h) / 100]);
  } else if (item.type === 'rectanglelabels') {
    const r = rectangleValue.safeParse(item.value);
    if (!r.success) {
      errors.push(...prefixed([...at, 'value'], r.error.issues));
      return null;
    }
    const v = r.data;
    if (v.rotation !== undefined && v.rotation % 360 !== 0) {
      warnings.push({ path: `${path}.value.rotation`, message: `rotated rectangle (${v.rotation}°) is not supported; skipped` });
      return null;
    }
    labels = v.rectanglelabels;
    const x0 = (v.x * w) / 100, y0 = (v.y * h) / 100, x1 = ((v.x + v.width) * w) / 100, y1 = ((v.y + v.height) * h) / 100;
    ring = [x0, y0, x1, y0, x1, y1, x0, y1];
  } else {
    warnings.push({ path: `${path}.type`, message: `"${item.type}" results are not imported` });
    return null;
  }
  const label = labels[0];
  if (label === undefined || label.trim() === '') {
    warnings.push({ path: `${path}.value`, message: 'no label; skipped' });
    return null;
  }
  if (labels.length > 1) warnings.push({ path: `${path}.value`, message: `several labels [${labels.join(', ')}]; used "${label}"` });
  // Label Studio lets a vertex be dragged a little past the image edge.
  const outside = ring.some((v, i) => v < -0.5 || v > (i % 2 === 0 ? w : h) + 0.5);
  if (outside) warnings.push({ path: `${path}.value`, message: 'extends past the image; clipped to it' });
  ring = ring.map((v, i) => clamp(v, 0, i % 2 === 0 ? w : h));
  const problem = ringProblem(ring);
  if (problem) {
    warnings.push({ path: `${path}.value`, message: `shape ${problem}; skipped` });
    return null;
  }
  return { label: label.trim(), ring };
}

/** Image size from the results, which should all agree; the first one wins. */
function sizeFromResults(items: ResultItem[], at: (string | number)[], warnings: CocoIssue[]): { width: number; height: number } | undefined {
  let found: { width: number; height: number } | undefined;
  items.forEach((item, r) => {
    if (item.original_width === undefined || item.original_height === undefined) return;
    if (!found) found = { width: item.original_width, height: item.original_height };
    else if (found.width !== item.original_width || found.height !== item.original_height) {
      warnings.push({
        path: formatPath([...at, r]),
        message: `original size ${item.original_width}x${item.original_height} differs from ${found.width}x${found.height} given earlier; the earlier one is used`,
      });
    }
  });
  return found;
}

/**
 * COCO file of a Label Studio JSON export: one image per task (ids from 1), the latest
 * non-cancelled annotation of each task, polygons and axis-aligned rectangles (as 4-point
 * polygons), categories from the label names in order of first use (ids from 1). Throws
 * LabelStudioFormatError listing every structural problem.
 */
export function labelStudioToCoco(json: unknown, opts: LabelStudioOptions = {}): { coco: CocoFile; warnings: CocoIssue[] } {
  const imageKey = opts.imageKey ?? 'image';
  const parsed = z.array(taskSchema).safeParse(json);
  if (!parsed.success) throw new LabelStudioFormatError(prefixed([], parsed.error.issues));

  const errors: CocoIssue[] = [];
  const warnings: CocoIssue[] = [];
  const images: CocoImage[] = [];
  const annotations: CocoAnnotation[] = [];
  const categoryIds = new Map<string, number>();
  const categories: CocoCategory[] = [];

  parsed.data.forEach((task, t) => {
    const source = task.data[imageKey];
    if (typeof source !== 'string' || source === '') {
      errors.push({ path: `[${t}].data.${imageKey}`, message: `expected the image URL or path (a string), got ${JSON.stringify(source) ?? 'nothing'}` });
      return;
    }
    const fileName = baseFileName(source);
    const key = task.annotations.length === 0 && task.completions ? 'completions' : 'annotations';
    const list = task[key] ?? [];
    const chosen = latestAnnotation(list);
    if (!chosen && list.length > 0) warnings.push({ path: `[${t}].${key}`, message: `every annotation of ${fileName} was cancelled` });
    const at: (string | number)[] = chosen ? [t, key, chosen.index, 'result'] : [t];
    const items = chosen?.ann.result ?? [];
    const size = sizeFromResults(items, at, warnings) ?? opts.sizeOf?.(fileName);
    if (!size) {
      warnings.push({ path: `[${t}]`, message: `size of ${fileName} unknown (no result gives original_width/original_height); left out` });
      return;
    }
    const imageId = images.length + 1;
    images.push({ id: imageId, width: size.width, height: size.height, file_name: fileName });
    items.forEach((item, r) => {
      const shape = shapeOf(item, size.width, size.height, [...at, r], errors, warnings);
      if (!shape) return;
      let categoryId = categoryIds.get(shape.label);
      if (categoryId === undefined) {
        categoryId = categories.length + 1;
        categoryIds.set(shape.label, categoryId);
        categories.push({ id: categoryId, name: shape.label, supercategory: 'none' });
      }
      annotations.push({
        id: annotations.length + 1,
        image_id: imageId,
        category_id: categoryId,
        segmentation: [shape.ring],
        bbox: polygonsBbox([shape.ring]),
        area: polygonsArea([shape.ring]),
        iscrowd: 0,
      });
    });
  });
  if (errors.length) throw new LabelStudioFormatError(errors);
  return { coco: { info: { description: 'Converted from a Label Studio export' }, licenses: [], images, annotations, categories }, warnings };
}
