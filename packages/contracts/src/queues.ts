import { z } from 'zod';
import { preAnnotateSchema } from './review';

/** BullMQ queue names: the web app enqueues, the worker consumes. */
export const QUEUES = {
  training: 'training',
  inference: 'inference',
  maintenance: 'maintenance',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];
export const queueNames = Object.values(QUEUES) as QueueName[];

const uuid = z.string().uuid('must be a UUID');

/**
 * Options of every job the web app queues: a job whose handler throws an ordinary error (PostgreSQL
 * briefly unreachable) is tried again with backoff; handlers end a job for good with UnrecoverableError.
 */
export const JOB_OPTIONS = { attempts: 3, backoff: { type: 'exponential', delay: 5_000 }, removeOnComplete: 1_000, removeOnFail: 1_000 } as const;

export const trainingJobSchema = z.object({ runId: uuid, resume: z.boolean().default(false) });
export type TrainingJob = z.infer<typeof trainingJobSchema>;

export const inferenceJobSchema = z
  .object({
    runId: uuid,
    checkpointId: uuid.optional(),
    split: z.enum(['train', 'val', 'test', 'unassigned']).optional(),
    imageIds: z.array(uuid).min(1).max(10_000).optional(),
    unlabelledOnly: z.boolean().default(false),
    /** After predicting, images that still have no annotations get the predictions above this threshold as annotations. */
    preAnnotate: preAnnotateSchema.optional(),
  })
  .refine((j) => !(j.split && j.imageIds), { message: 'give split or imageIds, not both', path: ['imageIds'] });
export type InferenceJob = z.infer<typeof inferenceJobSchema>;

/** Re-creates missing web copies and thumbnails from the stored originals. */
export const repairDerivedFilesJobSchema = z.object({ projectId: uuid.optional() });
export type RepairDerivedFilesJob = z.infer<typeof repairDerivedFilesJobSchema>;

export const maintenanceJobs = {
  'repair-derived-files': repairDerivedFilesJobSchema,
} as const;
export type MaintenanceJobName = keyof typeof maintenanceJobs;

/** What each worker writes to Redis every few seconds; /api/health reads it. */
export const workerHeartbeatSchema = z.object({
  id: z.string(),
  hostname: z.string(),
  pid: z.number().int(),
  queues: z.array(z.string()),
  modelBackend: z.string(),
  concurrency: z.number().int(),
  activeJobs: z.number().int(),
  startedAt: z.string(),
  beatAt: z.string(),
});
export type WorkerHeartbeat = z.infer<typeof workerHeartbeatSchema>;

/** Redis keys of the worker registry: a set of ids plus one expiring key per worker. */
export const workerRegistryKey = (prefix: string) => `${prefix}:workers`;
export const workerHeartbeatKey = (prefix: string, id: string) => `${prefix}:worker:${id}`;
/** A worker that has not beaten for this long is considered gone. */
export const HEARTBEAT_TTL_S = 30;
export const HEARTBEAT_INTERVAL_MS = 5_000;
