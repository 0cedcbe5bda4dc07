import { z } from 'zod';
import { imageStatuses, type ImageStatus } from './images';
import { splits } from './projects';

// One image's annotation set, as the editor reads and writes it. Coordinates are original-image
// pixels (after EXIF orientation), whatever size the browser displays the image at.

/** More vertices than this in one instance is a tracing accident, not a label. */
export const MAX_VERTICES_PER_ANNOTATION = 10_000;
/** Rings (outlines and holes) of one instance. */
export const MAX_PARTS_PER_ANNOTATION = 100;
export const MAX_ANNOTATIONS_PER_IMAGE = 5_000;
export const annotationSources = ['manual', 'imported', 'model'] as const;
export type AnnotationSource = (typeof annotationSources)[number];

/** Warnings the server attaches to a saved instance so the annotator can fix it later. */
export const annotationFlags = ['self_intersecting', 'clamped'] as const;
export type AnnotationFlag = (typeof annotationFlags)[number];

const uuid = z.string().uuid('must be a UUID');

/** [x1, y1, x2, y2, ...]: finite numbers, pairs, at least three points (distinctness is checked with the geometry). */
export const ringSchema = z
  .array(z.number({ error: 'must be a finite number' }), { error: 'must be an array of numbers [x1, y1, x2, y2, ...]' })
  .min(6, 'needs at least 3 points (6 numbers)')
  .refine((r) => r.length % 2 === 0, 'needs an even number of coordinates (x, y pairs)');

export const annotationInputSchema = z
  .object({
    /** Id of the annotation this one continues, so model-made instances stay marked until edited. */
    id: uuid.optional(),
    classId: uuid.optional(),
    className: z.string().trim().min(1).max(100).optional(),
    /** Polygon parts (a ring inside another is a hole); empty only for an existing crowd region kept as RLE (send its id). */
    polygons: z.array(ringSchema).max(MAX_PARTS_PER_ANNOTATION, `at most ${MAX_PARTS_PER_ANNOTATION} parts per instance`),
    iscrowd: z.union([z.literal(0), z.literal(1)]).default(0),
    /**
     * For a new instance only: 'model' when a model made it in the browser (pre-annotation) and the
     * annotator has not changed it yet. Ignored for an instance sent with its id: the server decides
     * from what is stored whether it was touched.
     */
    source: z.enum(['manual', 'model']).optional(),
  })
  .strict()
  .superRefine((a, ctx) => {
    if ((a.classId === undefined) === (a.className === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['classId'], message: 'give exactly one of classId or className' });
    }
    const vertices = a.polygons.reduce((n, r) => n + r.length / 2, 0);
    if (vertices > MAX_VERTICES_PER_ANNOTATION) {
      ctx.addIssue({ code: 'custom', path: ['polygons'], message: `has ${vertices} vertices; at most ${MAX_VERTICES_PER_ANNOTATION} per instance` });
    }
    if (a.polygons.length === 0 && a.id === undefined) {
      ctx.addIssue({ code: 'custom', path: ['polygons'], message: 'needs at least one polygon' });
    }
  });
export type AnnotationInput = z.infer<typeof annotationInputSchema>;

export const putAnnotationsBodySchema = z
  .object({
    /** The `version` the client last read; a different current version answers 409. */
    version: z.number().int().min(0),
    annotations: z.array(annotationInputSchema).max(MAX_ANNOTATIONS_PER_IMAGE, `at most ${MAX_ANNOTATIONS_PER_IMAGE} instances per image`),
  })
  .strict();
export type PutAnnotationsBody = z.infer<typeof putAnnotationsBodySchema>;

export interface AnnotationDto {
  id: string;
  classId: string;
  className: string;
  polygons: number[][];
  bbox: [number, number, number, number];
  area: number;
  iscrowd: 0 | 1;
  source: AnnotationSource;
  flags: AnnotationFlag[];
}

export interface ImageAnnotationsDto {
  imageId: string;
  projectId: string;
  width: number;
  height: number;
  version: number;
  status: ImageStatus;
  reviewComment: string | null;
  annotations: AnnotationDto[];
}

/** A PUT's answer: the new version, what was stored, and what the server changed or noticed. */
export interface SavedAnnotationsDto extends ImageAnnotationsDto {
  warnings: { path: string; message: string }[];
}

/**
 * Workflow: annotators mark `done` or `needs_review`; a reviewer accepts (`reviewed`) or rejects
 * (`rejected`, comment required); `in_progress` reopens.
 */
export const setImageStatusBodySchema = z
  .object({ status: z.enum(imageStatuses), comment: z.string().trim().max(2_000).optional() })
  .strict()
  .refine((b) => b.status !== 'rejected' || (b.comment?.length ?? 0) > 0, { path: ['comment'], message: 'say why the image is rejected' });
export type SetImageStatusBody = z.infer<typeof setImageStatusBodySchema>;

export const neighboursQuerySchema = z
  .object({ split: z.enum(splits).optional(), status: z.enum(imageStatuses).optional() })
  .strict();

/** Gallery order (newest first) around one image, with the same filters as the gallery. */
export interface ImageNeighboursDto {
  previous: string | null;
  next: string | null;
  /** The next unlabelled image after this one, wrapping around to the start. */
  nextUnlabelled: string | null;
  position: number;
  total: number;
}
