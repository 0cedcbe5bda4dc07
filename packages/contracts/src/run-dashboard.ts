import { z } from 'zod';

export const runLogLevels = ['info', 'warn', 'error'] as const;
export type RunLogLevel = (typeof runLogLevels)[number];

/** GET /api/runs/:runId/logs?after=<id>&limit=: lines with an id above `after`, oldest first. */
export const runLogsQuerySchema = z
  .object({
    after: z.coerce.number().int('must be an integer').min(0, 'must be >= 0').max(Number.MAX_SAFE_INTEGER).default(0),
    limit: z.coerce.number().int('must be an integer').min(1, 'must be at least 1').max(1000, 'must be at most 1000').default(200),
  })
  .strict();
export type RunLogsQuery = z.infer<typeof runLogsQuerySchema>;

export interface RunLogDto {
  /** Increasing per database; pass the last one seen as `after` to get only newer lines. */
  id: number;
  level: RunLogLevel;
  message: string;
  createdAt: string;
}

export interface RunLogsDto {
  lines: RunLogDto[];
  /** The id to pass as `after` next time (the last line's, or the `after` given when there was none). */
  last: number;
  /** True when `limit` cut the answer short: ask again at once. */
  more: boolean;
}

/** Median seconds per training step of earlier runs with the same preset on the same backend. */
export interface StepTimeEstimateDto {
  preset: string;
  backend: string;
  medianSeconds: number | null;
  /** How many step intervals the median is taken over (0: no estimate yet). */
  samples: number;
}
