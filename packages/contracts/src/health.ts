import type { WorkerHeartbeat } from './queues';

export interface ServiceCheck {
  ok: boolean;
  /** Round-trip time of the check, ms. */
  latencyMs?: number;
  error?: string;
}

export interface HealthDto {
  status: 'ok' | 'degraded';
  database: ServiceCheck;
  redis: ServiceCheck;
  queues: Record<string, { waiting: number; active: number; delayed: number; failed: number } | null>;
  workers: WorkerHeartbeat[];
  checkedAt: string;
}
