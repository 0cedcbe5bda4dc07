import type { DatasetSnapshot, EpochMetricDto, RunDto, TrainingConfig } from '@segmenta/contracts';
import type { Db } from './client';

function toDto(run: NonNullable<Awaited<ReturnType<typeof loadRun>>>): RunDto {
  const config = run.config as TrainingConfig;
  return {
    id: run.id,
    projectId: run.projectId,
    name: run.name,
    status: run.status,
    progress: run.progress,
    epochsDone: run.epochsDone,
    epochs: config.epochs,
    error: run.error,
    backend: run.backend,
    config: run.config,
    datasetSnapshot: (run.datasetSnapshot as DatasetSnapshot | null) ?? null,
    createdAt: run.createdAt.toISOString(),
    startedAt: run.startedAt?.toISOString() ?? null,
    finishedAt: run.finishedAt?.toISOString() ?? null,
    metrics: run.epochMetrics.map((m) => ({
      epoch: m.epoch,
      split: m.split as EpochMetricDto['split'],
      loss: m.loss,
      lossClassifier: m.lossClassifier,
      lossBoxReg: m.lossBoxReg,
      lossMask: m.lossMask,
      lossObjectness: m.lossObjectness,
      lossRpnBoxReg: m.lossRpnBoxReg,
      mapBbox: m.mapBbox,
      mapSegm: m.mapSegm,
      accuracy: m.accuracy,
    })),
    checkpoints: run.checkpoints.map((c) => ({ id: c.id, epoch: c.epoch, valLoss: c.valLoss, isBest: c.isBest, createdAt: c.createdAt.toISOString() })),
  };
}

const runInclude = { epochMetrics: { orderBy: [{ epoch: 'asc' as const }, { split: 'asc' as const }] }, checkpoints: { orderBy: { epoch: 'asc' as const } } };

function loadRun(db: Db, id: string) {
  return db.trainingRun.findUnique({ where: { id }, include: runInclude });
}

export async function getRun(db: Db, id: string): Promise<RunDto | null> {
  const run = await loadRun(db, id);
  return run ? toDto(run) : null;
}

export async function listRuns(db: Db, projectId: string): Promise<RunDto[]> {
  const runs = await db.trainingRun.findMany({ where: { projectId }, orderBy: { createdAt: 'desc' }, include: runInclude });
  return runs.map(toDto);
}

/**
 * The exact data a run trains on, taken once at launch: classes in label order, image ids per split
 * (only images with at least one annotation count for training), and annotation-set versions.
 */
export async function takeDatasetSnapshot(db: Db, projectId: string): Promise<DatasetSnapshot> {
  const [classes, images] = await Promise.all([
    db.labelClass.findMany({ where: { projectId }, orderBy: { order: 'asc' }, select: { id: true, name: true } }),
    db.image.findMany({ where: { projectId, split: { in: ['train', 'val', 'test'] } }, orderBy: { id: 'asc' }, select: { id: true, split: true, annotationsVersion: true, _count: { select: { annotations: true } } } }),
  ]);
  const splits: DatasetSnapshot['splits'] = { train: [], val: [], test: [] };
  const annotationVersions: Record<string, number> = {};
  for (const img of images) {
    if (img.split === 'unassigned') continue;
    // Unannotated images are kept as negatives in val/test, but train needs instances to learn from.
    if (img.split === 'train' && img._count.annotations === 0) continue;
    splits[img.split].push(img.id);
    annotationVersions[img.id] = img.annotationsVersion;
  }
  return { classes, splits, annotationVersions, takenAt: new Date().toISOString() };
}

export async function createRun(db: Db, projectId: string, config: TrainingConfig, snapshot: DatasetSnapshot, createdById: string | null = null) {
  return db.trainingRun.create({ data: { projectId, name: config.name, config, datasetSnapshot: snapshot, status: 'queued', createdById }, select: { id: true } });
}

/** One row per epoch per split; a resumed run rewriting an epoch replaces it instead of duplicating it. */
export async function recordEpochMetrics(db: Db, runId: string, rows: EpochMetricDto[]): Promise<void> {
  await db.$transaction(
    rows.map((r) =>
      db.epochMetric.upsert({
        where: { runId_epoch_split: { runId, epoch: r.epoch, split: r.split } },
        create: { runId, ...r },
        update: { ...r },
      }),
    ),
  );
}
