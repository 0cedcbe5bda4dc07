import 'server-only';
import { compressRle, instanceToRle, reviewPredictions, type AnyRle, type ReviewImageInput, type Ring } from '@segmenta/coco';
import { AppError, type ImageStatus, type PredictionDto, type ReviewDto, type ReviewImageDetailDto, type ReviewImageDto, type ReviewQuery } from '@segmenta/contracts';
import { acceptedPredictionIds, type Db } from '@segmenta/db';

/** Statuses that say "an annotator finished this image", so an image without instances is a true negative. */
const FINISHED: readonly ImageStatus[] = ['done', 'needs_review', 'reviewed'];

/**
 * A run's predictions against the project's human ground truth. Model-made annotations are not
 * ground truth (the model would be graded against itself), and images nobody has labelled yet are
 * listed without statistics.
 */
export async function runReview(db: Db, runId: string, q: ReviewQuery): Promise<ReviewDto> {
  const run = await db.trainingRun.findUnique({ where: { id: runId }, select: { id: true, projectId: true } });
  if (!run) throw new AppError('not_found', `Run ${runId} does not exist`);
  const classes = await db.labelClass.findMany({ where: { projectId: run.projectId }, orderBy: [{ order: 'asc' }, { name: 'asc' }], select: { id: true, name: true, color: true } });
  if (q.classId && !classes.some((c) => c.id === q.classId)) {
    throw new AppError('validation_failed', `Class ${q.classId} is not a class of this run's project`, [{ path: 'classId', message: 'is not a class of this project' }]);
  }
  const imageWhere = q.split ? { projectId: run.projectId, split: q.split } : { projectId: run.projectId, predictions: { some: { runId } } };
  const [images, predictions] = await Promise.all([
    db.image.findMany({
      where: imageWhere,
      orderBy: { id: 'asc' },
      select: { id: true, fileName: true, width: true, height: true, split: true, status: true, annotations: { select: { labelClassId: true, polygons: true, rle: true, iscrowd: true, source: true } } },
    }),
    db.prediction.findMany({
      where: { runId, labelClassId: { not: null }, image: imageWhere },
      select: { imageId: true, labelClassId: true, score: true, maskRle: true },
    }),
  ]);
  const predsOf = new Map<string, ReviewImageInput['predictions'][number][]>();
  for (const p of predictions) {
    const pred = { classId: p.labelClassId!, score: p.score, rle: p.maskRle as unknown as AnyRle };
    const list = predsOf.get(p.imageId);
    if (list) list.push(pred);
    else predsOf.set(p.imageId, [pred]);
  }

  const inputs: ReviewImageInput[] = [];
  const labelled = new Set<string>();
  for (const img of images) {
    const human = img.annotations.filter((a) => a.source !== 'model');
    if (human.length === 0 && !FINISHED.includes(img.status)) continue;
    labelled.add(img.id);
    inputs.push({
      imageId: img.id,
      groundTruth: human.map((a) => ({ classId: a.labelClassId, iscrowd: a.iscrowd, rle: a.rle ? compressRle(a.rle as unknown as AnyRle) : instanceToRle(a.polygons as Ring[], img.height, img.width) })),
      predictions: predsOf.get(img.id) ?? [],
    });
  }
  const opts = { scoreThreshold: q.scoreThreshold, iouThreshold: q.iouThreshold };
  const all = reviewPredictions(inputs, { ...opts, classIds: classes.map((c) => c.id) });
  // A class filter narrows the image errors and the table; the confusion matrix keeps every class, as mix-ups are what it shows.
  const filtered = q.classId ? reviewPredictions(inputs, { ...opts, classIds: [q.classId] }) : all;
  const stats = new Map(filtered.images.map((s) => [s.imageId, s]));

  const rows: ReviewImageDto[] = images.map((img) => {
    const s = stats.get(img.id);
    const shown = (predsOf.get(img.id) ?? []).filter((p) => p.score >= q.scoreThreshold && (!q.classId || p.classId === q.classId));
    return {
      imageId: img.id,
      fileName: img.fileName,
      width: img.width,
      height: img.height,
      split: img.split,
      labelled: labelled.has(img.id),
      predictions: shown.length,
      tp: s?.tp ?? 0,
      fp: s?.fp ?? 0,
      fn: s?.fn ?? 0,
      errorScore: s ? s.errorScore : null,
    };
  });
  rows.sort((a, b) => (b.errorScore ?? -1) - (a.errorScore ?? -1) || b.fp + b.fn - (a.fp + a.fn) || a.fileName.localeCompare(b.fileName) || (a.imageId < b.imageId ? -1 : 1));
  const byId = new Map(classes.map((c) => [c.id, c]));
  return {
    runId,
    projectId: run.projectId,
    scoreThreshold: q.scoreThreshold,
    iouThreshold: q.iouThreshold,
    images: rows,
    perClass: filtered.perClass.map((c) => ({ ...c, className: byId.get(c.classId)!.name, color: byId.get(c.classId)!.color })),
    confusion: { labels: [...classes.map((c) => c.name), 'background'], matrix: all.confusion.matrix },
  };
}

/** One image with its human and model-made annotations and this run's predictions, best first. */
type PredictionRow = { id: string; imageId: string; classIndex: number; labelClassId: string | null; labelClass: { name: string } | null; score: number; bboxX: number; bboxY: number; bboxW: number; bboxH: number; maskRle: unknown };

/** A stored prediction as the API shows it (the predictions list and the review page). */
export function predictionDto(p: PredictionRow): PredictionDto {
  return { id: p.id, imageId: p.imageId, classIndex: p.classIndex, className: p.labelClass?.name ?? null, score: p.score, bbox: [p.bboxX, p.bboxY, p.bboxW, p.bboxH], maskRle: p.maskRle as PredictionDto['maskRle'] };
}

export async function reviewImage(db: Db, runId: string, imageId: string): Promise<ReviewImageDetailDto> {
  const [run, image] = await Promise.all([
    db.trainingRun.findUnique({ where: { id: runId }, select: { projectId: true } }),
    db.image.findUnique({
      where: { id: imageId },
      select: {
        id: true, projectId: true, fileName: true, width: true, height: true, annotationsVersion: true,
        annotations: { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], select: { id: true, labelClassId: true, labelClass: { select: { name: true } }, polygons: true, bboxX: true, bboxY: true, bboxW: true, bboxH: true, iscrowd: true, source: true } },
      },
    }),
  ]);
  if (!run) throw new AppError('not_found', `Run ${runId} does not exist`);
  if (!image || image.projectId !== run.projectId) throw new AppError('not_found', `Image ${imageId} is not an image of run ${runId}'s project`);
  const rows = await db.prediction.findMany({ where: { runId, imageId }, orderBy: [{ score: 'desc' }, { id: 'asc' }], include: { labelClass: { select: { name: true } } } });
  const accepted = await acceptedPredictionIds(db, rows.map((p) => p.id));
  return {
    imageId: image.id,
    projectId: image.projectId,
    fileName: image.fileName,
    width: image.width,
    height: image.height,
    annotationsVersion: image.annotationsVersion,
    groundTruth: image.annotations.map((a) => ({
      id: a.id,
      classId: a.labelClassId,
      className: a.labelClass.name,
      polygons: a.polygons as number[][],
      bbox: [a.bboxX, a.bboxY, a.bboxW, a.bboxH],
      iscrowd: a.iscrowd,
      source: a.source,
    })),
    predictions: rows.map((p) => ({ ...predictionDto(p), classId: p.labelClassId, accepted: accepted.has(p.id) })),
  };
}
