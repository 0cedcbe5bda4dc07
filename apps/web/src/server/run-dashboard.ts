import 'server-only';
import { presets, trainingConfigSchema, workerHeartbeatKey, workerHeartbeatSchema, workerRegistryKey, type RunDto, type StepTimeEstimateDto } from '@segmenta/contracts';
import { getRun, stepTimeEstimate } from '@segmenta/db';
import type { RunRow } from '@/components/runs-table';
import type { LaunchFrom } from '@/components/launch-run-form';
import { runSeconds } from '@/components/format-duration';
import { getServer } from './context';
import { isUuid } from './load-project';

/**
 * The backend a launched run would train on: that of a live worker serving the training queue, or
 * failing that the backend of the newest run that recorded one. Read-only (health prunes the registry).
 */
export async function trainingBackend(): Promise<string | null> {
  const { redis, env, db } = getServer();
  try {
    const ids = await redis.smembers(workerRegistryKey(env.QUEUE_PREFIX));
    const raw = ids.length ? await redis.mget(ids.map((id) => workerHeartbeatKey(env.QUEUE_PREFIX, id))) : [];
    for (const value of raw) {
      const beat = value ? workerHeartbeatSchema.safeParse(JSON.parse(value)) : null;
      if (beat?.success && beat.data.queues.includes('training')) return beat.data.modelBackend;
    }
  } catch {
    // Redis down: fall back to the database's memory of the last run.
  }
  const last = await db.trainingRun.findFirst({ where: { backend: { not: null } }, orderBy: { startedAt: 'desc' }, select: { backend: true } });
  return last?.backend ?? null;
}

export async function stepTimeEstimates(backend: string | null): Promise<StepTimeEstimateDto[]> {
  if (!backend) return [];
  const { db } = getServer();
  return Promise.all(presets.map((p) => stepTimeEstimate(db, p, backend)));
}

export function runRow(r: RunDto, now: number): RunRow {
  const val = r.metrics.filter((m) => m.split === 'val');
  const maps = val.map((m) => m.mapSegm).filter((v): v is number => v !== null);
  return {
    id: r.id,
    name: r.name,
    status: r.status,
    preset: (r.config as { preset?: string }).preset ?? '—',
    backend: r.backend,
    epochsDone: r.epochsDone,
    epochs: r.epochs,
    bestValLoss: val.length ? Math.min(...val.map((m) => m.loss)) : null,
    bestSegmMap: maps.length ? Math.max(...maps) : null,
    durationS: runSeconds(r, now),
    createdAt: r.createdAt,
  };
}

/** The run a "duplicate with edits" link names, if it is in this project and its config still parses. */
export async function duplicateSource(projectId: string, runId: string | undefined): Promise<LaunchFrom | undefined> {
  if (!runId || !isUuid(runId)) return undefined;
  const run = await getRun(getServer().db, runId);
  if (!run || run.projectId !== projectId) return undefined;
  const config = trainingConfigSchema.safeParse(run.config);
  return config.success ? { id: run.id, name: run.name, config: config.data } : undefined;
}
