import { z } from 'zod';
import { preAnnotateSchema } from './review';

export const runIdParamSchema = z.object({ runId: z.string().uuid('must be a run id (UUID)') });

/** What a run trained on: image ids per split and each image's annotation-set version at launch. */
export const datasetSnapshotSchema = z.object({
  classes: z.array(z.object({ id: z.string(), name: z.string() })),
  splits: z.object({ train: z.array(z.string()), val: z.array(z.string()), test: z.array(z.string()) }),
  annotationVersions: z.record(z.string(), z.number().int()),
  takenAt: z.string(),
});
export type DatasetSnapshot = z.infer<typeof datasetSnapshotSchema>;

export interface EpochMetricDto {
  epoch: number;
  split: 'train' | 'val' | 'test';
  loss: number;
  lossClassifier: number;
  lossBoxReg: number;
  lossMask: number;
  lossObjectness: number;
  lossRpnBoxReg: number;
  mapBbox: number | null;
  mapSegm: number | null;
  accuracy: number | null;
}

export interface CheckpointDto {
  id: string;
  epoch: number;
  valLoss: number | null;
  isBest: boolean;
  createdAt: string;
}

export interface RunDto {
  id: string;
  projectId: string;
  name: string;
  status: 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';
  progress: number;
  epochsDone: number;
  epochs: number;
  error: string | null;
  backend: string | null;
  config: unknown;
  datasetSnapshot: DatasetSnapshot | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  metrics: EpochMetricDto[];
  checkpoints: CheckpointDto[];
}

/** POST /api/runs/:runId/resume: the run, queued again, and where it will continue from. */
export interface ResumeRunDto extends RunDto {
  resume: {
    /** The epoch of the checkpoint it continues from; null: there is none yet and the run starts over. */
    fromEpoch: number | null;
    message: string;
  };
}

/** POST /api/runs/:runId/predictions: which images to predict (default: all of the project's). */
export const predictRequestSchema = z
  .object({
    split: z.enum(['train', 'val', 'test', 'unassigned']).optional(),
    imageIds: z.array(z.string().uuid('must be an image id (UUID)')).min(1).max(10_000).optional(),
    unlabelledOnly: z.boolean().default(false),
    checkpointId: z.string().uuid().optional(),
    preAnnotate: preAnnotateSchema.optional(),
  })
  .strict()
  .refine((b) => !(b.split && b.imageIds), { message: 'give split or imageIds, not both', path: ['imageIds'] });

export const listPredictionsQuerySchema = z
  .object({ imageId: z.string().uuid().optional(), cursor: z.string().uuid('must be a prediction id from nextCursor').optional(), limit: z.coerce.number().int().min(1).max(1000).default(200) })
  .strict();

export interface PredictionDto {
  id: string;
  imageId: string;
  classIndex: number;
  className: string | null;
  score: number;
  bbox: [number, number, number, number];
  maskRle: { size: [number, number]; counts: string };
}
