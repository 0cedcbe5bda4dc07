import path from 'node:path';
import { UnrecoverableError } from 'bullmq';
import { datasetSnapshotSchema, inferenceJobSchema } from '@segmenta/contracts';
import { acceptPredictions, findRunCheckpoint, type BlobStore, type Db } from '@segmenta/db';
import { decodeImage, loadCheckpoint, predictDetections, toCocoResults, type Predictor } from '@segmenta/maskrcnn';
import { defineHandler } from '../runtime';

/**
 * Predicts a split, a selection, or the unlabelled images of a run's project with one checkpoint
 * (the best unless given) and stores Prediction rows. Per image, old rows of the run are replaced in
 * the same transaction, so a retried job never doubles them. The model is loaded once per worker.
 */
export function predictImagesHandler(deps: { db: Db; store: BlobStore; dataDir: string }) {
  const { db } = deps;
  const models = new Map<string, Promise<Predictor>>();
  const load = (id: string, rel: string) => {
    let m = models.get(id);
    if (!m) {
      for (const [k, old] of models) {
        models.delete(k);
        void old.then((p) => p.model.dispose()).catch(() => undefined);
      }
      m = loadCheckpoint(path.join(deps.dataDir, rel)).then(({ model, classes }) => ({ model, classes }));
      models.set(id, m);
    }
    return m;
  };
  return defineHandler(inferenceJobSchema, async ({ data, signal, log, progress }) => {
    const run = await db.trainingRun.findUnique({ where: { id: data.runId }, select: { id: true, projectId: true, datasetSnapshot: true } });
    if (!run) throw new UnrecoverableError(`run ${data.runId} does not exist`);
    const ckpt = await findRunCheckpoint(db, run.id, data.checkpointId);
    if (!ckpt) throw new UnrecoverableError(`run ${run.id} has no ${data.checkpointId ? `checkpoint ${data.checkpointId}` : 'checkpoint yet'}`);
    const predictor = await load(ckpt.id, ckpt.path);
    const classes = await db.labelClass.findMany({ where: { projectId: run.projectId }, select: { id: true, name: true } });
    const classId = new Map(classes.map((c) => [c.name, c.id]));
    const snapshot = datasetSnapshotSchema.safeParse(run.datasetSnapshot);
    if (!snapshot.success) log('warn', 'run has no dataset snapshot; class names come from the checkpoint');
    const images = await db.image.findMany({
      where: {
        projectId: run.projectId,
        ...(data.imageIds ? { id: { in: data.imageIds } } : {}),
        ...(data.split ? { split: data.split } : {}),
        ...(data.unlabelledOnly ? { status: 'unlabelled' } : {}),
      },
      orderBy: { id: 'asc' },
      select: { id: true, originalKey: true },
    });
    let stored = 0;
    for (const [i, img] of images.entries()) {
      signal.throwIfAborted();
      const decoded = await decodeImage(new Uint8Array(await deps.store.get(img.originalKey)));
      const results = toCocoResults(await predictDetections(predictor, decoded), predictor.classes);
      await db.$transaction([
        db.prediction.deleteMany({ where: { runId: run.id, imageId: img.id } }),
        db.prediction.createMany({
          data: results.map((r) => ({
            runId: run.id,
            checkpointId: ckpt.id,
            imageId: img.id,
            labelClassId: classId.get(r.category_name) ?? null,
            classIndex: Number(r.category_id),
            score: r.score,
            bboxX: r.bbox[0]!,
            bboxY: r.bbox[1]!,
            bboxW: r.bbox[2]!,
            bboxH: r.bbox[3]!,
            maskRle: { size: r.segmentation.size, counts: r.segmentation.counts },
          })),
        }),
      ]);
      stored += results.length;
      await progress(i + 1, images.length);
    }
    // Pre-annotation: images still without annotations get the confident predictions as model-made ones.
    let preAnnotated: { images: number; annotations: number } | undefined;
    if (data.preAnnotate && images.length > 0) {
      const out = await acceptPredictions(db, run.id, { ...data.preAnnotate, imageIds: images.map((i) => i.id), onlyIfUnannotated: true });
      preAnnotated = { images: out.images.length, annotations: out.accepted };
      log('info', `pre-annotated ${out.images.length} image(s) with ${out.accepted} model-made annotation(s)`);
    }
    return { images: images.length, predictions: stored, checkpointEpoch: ckpt.epoch, ...(preAnnotated ? { preAnnotated } : {}) };
  });
}
