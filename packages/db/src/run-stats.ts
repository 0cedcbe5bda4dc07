import type { ImageStatus, Split, StepTimeEstimateDto } from '@segmenta/contracts';
import type { Db } from './client';

/** Only the newest runs count: the page stays fast with a long history, and old code's speed fades out. */
const RECENT_RUNS = 20;

/**
 * Median seconds per step over earlier runs with this preset on this backend. A step's time is the
 * gap to the previous step of the same epoch, so the validation/test pass between epochs is left out.
 */
export async function stepTimeEstimate(db: Db, preset: string, backend: string): Promise<StepTimeEstimateDto> {
  const rows = await db.$queryRaw<{ median: number | null; samples: bigint }[]>`
    SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY dt) AS median, count(dt) AS samples FROM (
      SELECT extract(epoch FROM s."createdAt" - lag(s."createdAt") OVER (PARTITION BY s."runId", s.epoch ORDER BY s.step))::float8 AS dt
      FROM "StepMetric" s
      WHERE s."runId" IN (
        SELECT r.id FROM "TrainingRun" r WHERE r.config->>'preset' = ${preset} AND r.backend = ${backend} ORDER BY r."createdAt" DESC LIMIT ${RECENT_RUNS}
      )
    ) gaps WHERE dt > 0`;
  const samples = Number(rows[0]?.samples ?? 0);
  return { preset, backend, medianSeconds: samples ? Number(rows[0]!.median) : null, samples };
}

/** Images a launch would train, validate and test on right now (train counts only annotated images, as the snapshot does). */
export async function trainableSplitSizes(db: Db, projectId: string): Promise<Record<'train' | 'val' | 'test', number>> {
  const [train, val, test] = await Promise.all([
    db.image.count({ where: { projectId, split: 'train', annotations: { some: {} } } }),
    db.image.count({ where: { projectId, split: 'val' } }),
    db.image.count({ where: { projectId, split: 'test' } }),
  ]);
  return { train, val, test };
}

export type AnnotationProgress = Record<Split, { total: number; annotated: number } & Record<ImageStatus, number>>;

/** Images per review status in each split, and how many have at least one instance, for the project dashboard. */
export async function annotationProgress(db: Db, projectId: string): Promise<AnnotationProgress> {
  const [rows, annotated] = await Promise.all([
    db.image.groupBy({ by: ['split', 'status'], where: { projectId }, _count: { _all: true } }),
    db.image.groupBy({ by: ['split'], where: { projectId, annotations: { some: {} } }, _count: { _all: true } }),
  ]);
  const empty = () => ({ total: 0, annotated: 0, unlabelled: 0, in_progress: 0, done: 0, needs_review: 0, reviewed: 0, rejected: 0 });
  const out: AnnotationProgress = { train: empty(), val: empty(), test: empty(), unassigned: empty() };
  for (const r of rows) {
    out[r.split][r.status] = r._count._all;
    out[r.split].total += r._count._all;
  }
  for (const r of annotated) out[r.split].annotated = r._count._all;
  return out;
}

/** The newest runs with just what a dashboard row shows. */
export async function latestRunSummaries(db: Db, projectId: string, take: number) {
  const runs = await db.trainingRun.findMany({
    where: { projectId },
    orderBy: { createdAt: 'desc' },
    take,
    select: { id: true, name: true, status: true, epochsDone: true, config: true, createdAt: true, checkpoints: { where: { isBest: true }, select: { valLoss: true, epoch: true } } },
  });
  return runs.map((r) => ({
    id: r.id,
    name: r.name,
    status: r.status,
    epochsDone: r.epochsDone,
    epochs: (r.config as { epochs?: number }).epochs ?? 0,
    createdAt: r.createdAt.toISOString(),
    bestValLoss: r.checkpoints[0]?.valLoss ?? null,
    bestEpoch: r.checkpoints[0]?.epoch ?? null,
  }));
}
