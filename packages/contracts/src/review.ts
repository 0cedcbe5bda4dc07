import { z } from 'zod';
import { splits } from './projects';
import type { PredictionDto } from './runs';

// Reviewing a run's predictions and turning them into annotations (model-assisted labelling).

const uuid = z.string().uuid('must be a UUID');
const threshold = z.coerce.number({ error: 'must be a number' }).min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1');

/** GET /api/runs/:runId/review */
export const reviewQuerySchema = z
  .object({
    /** Without a split: the images this run has predictions for. With one: every image of that split. */
    split: z.enum(splits).optional(),
    scoreThreshold: threshold.default(0.5),
    iouThreshold: threshold.default(0.5),
    classId: uuid.optional(),
  })
  .strict();
export type ReviewQuery = z.infer<typeof reviewQuerySchema>;

export interface ReviewImageDto {
  imageId: string;
  fileName: string;
  width: number;
  height: number;
  split: (typeof splits)[number];
  /** Has human ground truth (annotations not made by a model, or a status past `unlabelled`). */
  labelled: boolean;
  /** Predictions at or above the threshold (of the filtered class). */
  predictions: number;
  tp: number;
  fp: number;
  fn: number;
  /** 1 − F1 at the threshold; null for unlabelled images, which are left out of the statistics. */
  errorScore: number | null;
}

export interface ReviewClassDto {
  classId: string;
  className: string;
  color: string;
  precision: number | null;
  recall: number | null;
  tp: number;
  fp: number;
  fn: number;
}

export interface ReviewDto {
  runId: string;
  projectId: string;
  scoreThreshold: number;
  iouThreshold: number;
  /** Worst first (errorScore, then fp + fn), unlabelled images last. */
  images: ReviewImageDto[];
  perClass: ReviewClassDto[];
  /** Rows: ground-truth class then "background" (false positives); columns: predicted class then "background" (missed). */
  confusion: { labels: string[]; matrix: number[][] };
}

export const reviewImageParamsSchema = z.object({ runId: uuid, imageId: uuid });

export interface ReviewGroundTruthDto {
  id: string;
  classId: string;
  className: string;
  polygons: number[][];
  bbox: [number, number, number, number];
  iscrowd: boolean;
  source: 'manual' | 'imported' | 'model';
}

/** GET /api/runs/:runId/review/images/:imageId: all a reviewer needs to draw one image. */
export interface ReviewImageDetailDto {
  imageId: string;
  projectId: string;
  fileName: string;
  width: number;
  height: number;
  annotationsVersion: number;
  groundTruth: ReviewGroundTruthDto[];
  predictions: (PredictionDto & { classId: string | null; accepted: boolean })[];
}

export const predictionIdParamSchema = z.object({ predictionId: z.string().uuid('must be a prediction id (UUID)') });

/** Douglas–Peucker tolerance in pixels for mask → polygon. */
const tolerance = z.number({ error: 'must be a number' }).min(0, 'must be at least 0').max(20, 'at most 20 pixels');
export const DEFAULT_ACCEPT_TOLERANCE = 1;

/** POST /api/predictions/:predictionId/accept */
export const acceptPredictionBodySchema = z.object({ tolerance: tolerance.optional() }).strict();
export type AcceptPredictionBody = z.infer<typeof acceptPredictionBodySchema>;

/** POST /api/runs/:runId/predictions/accept: every prediction at or above the threshold, image by image. */
export const acceptPredictionsBodySchema = z
  .object({
    imageIds: z.array(uuid).min(1).max(10_000).optional(),
    scoreThreshold: z.number({ error: 'must be a number' }).min(0).max(1),
    tolerance: tolerance.optional(),
  })
  .strict();
export type AcceptPredictionsBody = z.infer<typeof acceptPredictionsBodySchema>;

export interface AcceptedPredictionDto {
  annotationId: string;
  /** The image's annotationsVersion after the change. */
  version: number;
}

export interface AcceptPredictionsResultDto {
  accepted: number;
  images: { imageId: string; annotationIds: string[]; version: number }[];
  /** Predictions left alone: already accepted, their class deleted, or a mask too small to outline. */
  skipped: { predictionId: string; reason: string }[];
}

/** Model-made annotations for images that still have none, after an inference job (Label Studio's pre-annotation). */
export const preAnnotateSchema = z.object({ scoreThreshold: z.number().min(0).max(1), tolerance: tolerance.optional() }).strict();
export type PreAnnotate = z.infer<typeof preAnnotateSchema>;
