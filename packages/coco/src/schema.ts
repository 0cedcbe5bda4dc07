// Schema of a COCO instances file (images / annotations / categories), as written by the COCO
// dataset, pycocotools users and Label Studio. Unknown fields are kept (licenses, flickr_url,
// Label Studio's `ignore`), so a file round-trips. Category ids may start at 0 (Label Studio).

import { z } from 'zod';
import { checkCocoFile } from './checks';
import type { Ring } from './geometry';
import type { Rle, UncompressedRle } from './rle';

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const id = z.number().int().nonnegative();

const ringSchema = z.array(finite).refine((r) => r.length % 2 === 0, 'a ring needs an even number of coordinates (x, y pairs)');
const polygonsSchema = z.array(ringSchema);
const rleSchema = z.object({
  size: z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]),
  counts: z.union([z.string(), z.array(z.number().int().nonnegative())]),
});

export type Segmentation = Ring[] | Rle | UncompressedRle;

/**
 * Polygons when it is an array, RLE otherwise. Dispatching by shape (rather than a zod union)
 * keeps error paths pointing at the offending coordinate instead of at "no union member matched".
 */
const segmentationSchema = z.unknown().transform((v, ctx): Segmentation => {
  const r = Array.isArray(v) ? polygonsSchema.safeParse(v) : rleSchema.safeParse(v);
  if (r.success) return r.data as Segmentation;
  for (const issue of r.error.issues) {
    const message = Array.isArray(v) ? issue.message : `${issue.message} (segmentation is polygons [[x, y, ...]] or RLE {size, counts})`;
    ctx.addIssue({ code: 'custom', message, path: issue.path as (string | number)[] });
  }
  return z.NEVER;
});

const bboxSchema = z.tuple([finite, finite, finite.refine((v) => v >= 0, 'width must be ≥ 0'), finite.refine((v) => v >= 0, 'height must be ≥ 0')]);

export const cocoImageSchema = z.looseObject({
  id,
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  file_name: z.string(),
});

export const cocoCategorySchema = z.looseObject({
  id,
  name: z.string().min(1),
  supercategory: z.string().optional(),
});

export const cocoAnnotationSchema = z.looseObject({
  id,
  image_id: id,
  category_id: id,
  segmentation: segmentationSchema.optional(),
  bbox: bboxSchema.optional(),
  area: finite.refine((v) => v >= 0, 'must be ≥ 0').optional(),
  // Some exporters write booleans.
  iscrowd: z.union([z.literal(0), z.literal(1), z.boolean()]).transform((v) => (v ? 1 : 0) as 0 | 1).default(0),
});

export const cocoFileSchema = z.looseObject({
  images: z.array(cocoImageSchema),
  annotations: z.array(cocoAnnotationSchema),
  categories: z.array(cocoCategorySchema),
});

export type CocoImage = z.infer<typeof cocoImageSchema>;
export type CocoCategory = z.infer<typeof cocoCategorySchema>;
export type CocoAnnotationInput = z.infer<typeof cocoAnnotationSchema>;
/** After parsing, every annotation has a bbox and an area (recomputed where the file lacked them). */
export type CocoAnnotation = CocoAnnotationInput & { bbox: [number, number, number, number]; area: number };
export interface CocoFile {
  images: CocoImage[];
  annotations: CocoAnnotation[];
  categories: CocoCategory[];
  /** Other top-level fields (info, licenses, ...) pass through. */
  [key: string]: unknown;
}

export interface CocoIssue {
  /** JSON-path-like location, e.g. `annotations[3].segmentation[0]`. */
  path: string;
  message: string;
}

export function formatPath(path: readonly PropertyKey[]): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s ? `.${String(p)}` : String(p);
  return s || '(root)';
}

export class CocoFormatError extends Error {
  constructor(readonly issues: CocoIssue[]) {
    const shown = issues.slice(0, 5).map((i) => `${i.path}: ${i.message}`);
    const more = issues.length > 5 ? `\n… and ${issues.length - 5} more` : '';
    super(`invalid COCO file:\n${shown.join('\n')}${more}`);
    this.name = 'CocoFormatError';
  }
}

export type CocoParseResult =
  | { ok: true; data: CocoFile; warnings: CocoIssue[] }
  | { ok: false; issues: CocoIssue[] };

/** Validate a parsed JSON value; never throws. Structural problems stop before the cross-checks. */
export function safeParseCocoFile(json: unknown): CocoParseResult {
  const r = cocoFileSchema.safeParse(json);
  if (!r.success) {
    return { ok: false, issues: r.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })) };
  }
  const { data, errors, warnings } = checkCocoFile(r.data);
  if (errors.length) return { ok: false, issues: errors };
  return { ok: true, data, warnings };
}

/** Validate a parsed JSON value, throwing CocoFormatError (with every issue) when it is not a usable COCO file. */
export function parseCocoFile(json: unknown): { data: CocoFile; warnings: CocoIssue[] } {
  const r = safeParseCocoFile(json);
  if (!r.ok) throw new CocoFormatError(r.issues);
  return { data: r.data, warnings: r.warnings };
}

/** One detection of a COCO results file (the list a model's predictions are saved as). */
export const cocoResultSchema = z
  .looseObject({
    image_id: id,
    category_id: id,
    score: finite,
    bbox: bboxSchema.optional(),
    segmentation: segmentationSchema.optional(),
  })
  .refine((r) => r.bbox !== undefined || r.segmentation !== undefined, 'a result needs a bbox or a segmentation');

export type CocoResultInput = z.infer<typeof cocoResultSchema>;

/** Validate a results file (a JSON array of detections), throwing CocoFormatError with every issue. */
export function parseCocoResults(json: unknown): CocoResultInput[] {
  const r = z.array(cocoResultSchema).safeParse(json);
  if (!r.success) throw new CocoFormatError(r.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })));
  return r.data;
}
