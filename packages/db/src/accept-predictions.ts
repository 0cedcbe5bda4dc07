// Model-assisted labelling: a prediction's mask becomes an editable polygon annotation marked
// `source: 'model'` (the editor turns it `manual` once an annotator changes it). Each image is one
// transaction that also bumps its annotationsVersion, so an editor holding the old version is told
// to reload instead of overwriting the new instances.
//
// Which prediction became which annotation is kept in the audit log (`prediction.accept`), which
// is also how a second accept of the same prediction is refused rather than doubling the instance.

import { randomUUID } from 'node:crypto';
import { instanceRasterArea, polygonsBbox, predictionPolygons, type Rle } from '@segmenta/coco';
import { AppError, DEFAULT_ACCEPT_TOLERANCE, type AcceptedPredictionDto, type AcceptPredictionsResultDto } from '@segmenta/contracts';
import { insertAnnotationRows, type AnnotationInsert } from './annotations';
import type { Db } from './client';

const ACCEPT_ACTION = 'prediction.accept';

interface PredictionRow {
  id: string;
  imageId: string;
  labelClassId: string | null;
  maskRle: unknown;
}

interface ImageOutcome {
  imageId: string;
  annotationIds: string[];
  version: number;
  skipped: { predictionId: string; reason: string }[];
}

/** Thrown inside a transaction to roll it back when nothing is to be written. */
class NothingToWrite extends Error {
  constructor(readonly skipped: { predictionId: string; reason: string }[]) {
    super('nothing to write');
  }
}

/** Prediction ids (of `ids`) whose accepted annotation still exists. */
export async function acceptedPredictionIds(tx: Pick<Db, 'auditLog' | 'annotation'>, ids: string[]): Promise<Set<string>> {
  const logs = await tx.auditLog.findMany({ where: { action: ACCEPT_ACTION, targetType: 'prediction', targetId: { in: ids } }, select: { targetId: true, details: true } });
  const annotationOf = new Map(logs.map((l) => [(l.details as { annotationId?: string }).annotationId ?? '', l.targetId!]));
  const alive = await tx.annotation.findMany({ where: { id: { in: [...annotationOf.keys()] } }, select: { id: true } });
  return new Set(alive.map((a) => annotationOf.get(a.id)!));
}

async function acceptIntoImage(db: Db, imageId: string, predictions: PredictionRow[], opts: { tolerance: number; onlyIfUnannotated: boolean; actorId: string | null }): Promise<ImageOutcome> {
  try {
    return await db.$transaction(async (tx) => {
      // The bump comes first: its row lock orders this transaction with an editor save of the image.
      const image = await tx.image.update({ where: { id: imageId }, data: { annotationsVersion: { increment: 1 } }, select: { projectId: true, width: true, height: true, status: true, annotationsVersion: true } });
      if (opts.onlyIfUnannotated && (await tx.annotation.count({ where: { imageId } })) > 0) {
        throw new NothingToWrite(predictions.map((p) => ({ predictionId: p.id, reason: 'the image already has annotations' })));
      }
      const classIds = [...new Set(predictions.map((p) => p.labelClassId).filter((c): c is string => c !== null))];
      const classes = new Set((await tx.labelClass.findMany({ where: { id: { in: classIds }, projectId: image.projectId }, select: { id: true } })).map((c) => c.id));
      const accepted = await acceptedPredictionIds(tx, predictions.map((p) => p.id));
      const skipped: ImageOutcome['skipped'] = [];
      const rows: (AnnotationInsert & { predictionId: string })[] = [];
      for (const p of predictions) {
        const rle = p.maskRle as Rle;
        if (!p.labelClassId || !classes.has(p.labelClassId)) skipped.push({ predictionId: p.id, reason: 'its class no longer exists in the project (re-create the class or predict again)' });
        else if (accepted.has(p.id)) skipped.push({ predictionId: p.id, reason: 'it was already accepted' });
        else if (rle.size[0] !== image.height || rle.size[1] !== image.width) skipped.push({ predictionId: p.id, reason: `its mask is ${rle.size[1]}×${rle.size[0]}, the image ${image.width}×${image.height}` });
        else {
          const polygons = predictionPolygons(rle, opts.tolerance);
          if (polygons.length === 0) skipped.push({ predictionId: p.id, reason: 'its mask is too small to outline' });
          // The stored area is that of the rasterised rings (holes cut), as for any instance, not of the raw mask.
          else rows.push({ id: randomUUID(), predictionId: p.id, labelClassId: p.labelClassId, polygons, rle: null, bbox: polygonsBbox(polygons), area: instanceRasterArea(polygons, image.height, image.width), iscrowd: false, source: 'model' });
        }
      }
      if (rows.length === 0) throw new NothingToWrite(skipped);
      await insertAnnotationRows(tx, imageId, rows, opts.actorId);
      await tx.auditLog.createMany({ data: rows.map((r) => ({ actorId: opts.actorId, action: ACCEPT_ACTION, targetType: 'prediction', targetId: r.predictionId, details: { annotationId: r.id, imageId } })) });
      if (image.status === 'unlabelled') await tx.image.update({ where: { id: imageId }, data: { status: 'in_progress' } });
      return { imageId, annotationIds: rows.map((r) => r.id), version: image.annotationsVersion, skipped };
    });
  } catch (err) {
    if (err instanceof NothingToWrite) {
      const image = await db.image.findUnique({ where: { id: imageId }, select: { annotationsVersion: true } });
      return { imageId, annotationIds: [], version: image?.annotationsVersion ?? 0, skipped: err.skipped };
    }
    throw err;
  }
}

const predictionSelect = { id: true, imageId: true, labelClassId: true, maskRle: true } as const;

/** One prediction → one model-made annotation; 404 for an unknown prediction, 409 when it cannot be accepted. */
export async function acceptPrediction(db: Db, predictionId: string, opts: { tolerance?: number; actorId?: string | null } = {}): Promise<AcceptedPredictionDto> {
  const p = await db.prediction.findUnique({ where: { id: predictionId }, select: predictionSelect });
  if (!p) throw new AppError('not_found', `Prediction ${predictionId} does not exist (a newer inference job may have replaced it)`);
  const out = await acceptIntoImage(db, p.imageId, [p], { tolerance: opts.tolerance ?? DEFAULT_ACCEPT_TOLERANCE, onlyIfUnannotated: false, actorId: opts.actorId ?? null });
  if (out.annotationIds.length === 0) {
    const reason = out.skipped[0]?.reason ?? 'nothing to accept';
    throw new AppError('conflict', `Prediction ${predictionId} cannot be accepted: ${reason}`, [{ path: 'predictionId', message: reason }]);
  }
  return { annotationId: out.annotationIds[0]!, version: out.version };
}

/**
 * Every prediction of a run at or above `scoreThreshold` (optionally of some images only), one
 * transaction per image. With `onlyIfUnannotated` (pre-annotation) an image that has any
 * annotation by the time its transaction runs is left alone.
 */
export async function acceptPredictions(
  db: Db,
  runId: string,
  opts: { scoreThreshold: number; imageIds?: string[]; tolerance?: number; onlyIfUnannotated?: boolean; actorId?: string | null },
): Promise<AcceptPredictionsResultDto> {
  const run = await db.trainingRun.findUnique({ where: { id: runId }, select: { projectId: true } });
  if (!run) throw new AppError('not_found', `Run ${runId} does not exist`);
  if (opts.imageIds) {
    const found = new Set((await db.image.findMany({ where: { id: { in: opts.imageIds }, projectId: run.projectId }, select: { id: true } })).map((i) => i.id));
    const bad = opts.imageIds.map((id, i) => ({ id, i })).filter(({ id }) => !found.has(id));
    if (bad.length) throw new AppError('validation_failed', `Image ${bad[0]!.id} is not an image of this run's project`, bad.map(({ id, i }) => ({ path: `imageIds[${i}]`, message: `${id} is not an image of this run's project` })));
  }
  const predictions = await db.prediction.findMany({
    where: { runId, score: { gte: opts.scoreThreshold }, ...(opts.imageIds ? { imageId: { in: opts.imageIds } } : {}) },
    orderBy: [{ imageId: 'asc' }, { score: 'desc' }, { id: 'asc' }],
    select: predictionSelect,
  });
  const byImage = new Map<string, PredictionRow[]>();
  for (const p of predictions) {
    const list = byImage.get(p.imageId);
    if (list) list.push(p);
    else byImage.set(p.imageId, [p]);
  }
  const result: AcceptPredictionsResultDto = { accepted: 0, images: [], skipped: [] };
  for (const [imageId, preds] of byImage) {
    const out = await acceptIntoImage(db, imageId, preds, { tolerance: opts.tolerance ?? DEFAULT_ACCEPT_TOLERANCE, onlyIfUnannotated: opts.onlyIfUnannotated ?? false, actorId: opts.actorId ?? null });
    result.skipped.push(...out.skipped);
    if (out.annotationIds.length === 0) continue;
    result.accepted += out.annotationIds.length;
    result.images.push({ imageId, annotationIds: out.annotationIds, version: out.version });
  }
  return result;
}
