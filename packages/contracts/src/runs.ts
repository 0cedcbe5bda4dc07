import { z } from 'zod';

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

/** Redis key the worker polls between steps; set by POST /api/runs/:runId/cancel. */
export const runCancelKey = (prefix: string, runId: string) => `${prefix}:run-cancel:${runId}`;
