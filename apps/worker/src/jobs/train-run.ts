import type { Redis } from 'ioredis';
import path from 'node:path';
import { datasetSnapshotSchema, runCancelKey, trainingConfigSchema, trainingJobSchema, type EpochMetricDto, type TrainingConfig } from '@segmenta/contracts';
import { recordEpochMetrics, type BlobStore, type Db } from '@segmenta/db';
import { detectionMetrics, loadCheckpoint, MaskRCNN, train, TrainingDivergedError, type LossSummary, type MaskRCNNConfig } from '@segmenta/maskrcnn';
import { UnrecoverableError } from 'bullmq';
import { defineHandler } from '../runtime';
import { loadLatestCheckpoint, writeCheckpoint } from '../training/checkpoints';
import { augmentFor, modelConfigFor, optimizerFor, scheduleFor } from '../training/run-config';
import { loadSplitSamples } from '../training/samples';

class RunCancelled extends Error {}

/** Weights to start from: a previous run's checkpoint or an imported torchvision model directory. */
async function initialModel(db: Db, dataDir: string, cfg: TrainingConfig, modelCfg: MaskRCNNConfig, classCount: number): Promise<MaskRCNN | null> {
  let dir: string;
  if (cfg.init.kind === 'none') return null;
  if (cfg.init.kind === 'run') {
    const { runId, checkpointId } = cfg.init;
    const ckpt = await db.checkpoint.findFirst({ where: { runId, ...(checkpointId ? { id: checkpointId } : { isBest: true }) } });
    if (!ckpt) throw new UnrecoverableError(`init: run ${runId} has no ${checkpointId ? `checkpoint ${checkpointId}` : 'best checkpoint'}`);
    dir = path.join(dataDir, ckpt.path);
  } else {
    dir = cfg.init.weightsPath;
  }
  const loaded = await loadCheckpoint(dir).catch((err: Error) => {
    throw new UnrecoverableError(`init: cannot load initial weights from ${dir}: ${err.message}`);
  });
  if (loaded.model.cfg.numClasses !== classCount + 1) {
    loaded.model.dispose();
    throw new UnrecoverableError(`init: the weights in ${dir} predict ${loaded.model.cfg.numClasses - 1} classes but the project has ${classCount}; import them with --num-classes ${classCount + 1}`);
  }
  if (loaded.model.cfg.backbone.kind !== modelCfg.backbone.kind) {
    loaded.model.dispose();
    throw new UnrecoverableError(`init: the weights in ${dir} are for backbone "${loaded.model.cfg.backbone.kind}", the run uses "${modelCfg.backbone.kind}"`);
  }
  return loaded.model;
}

const metricRow = (epoch: number, split: EpochMetricDto['split'], s: LossSummary, det?: { mapBbox: number; mapSegm: number; accuracy: number }): EpochMetricDto => ({
  epoch,
  split,
  loss: s.loss,
  lossClassifier: s.components.loss_classifier,
  lossBoxReg: s.components.loss_box_reg,
  lossMask: s.components.loss_mask,
  lossObjectness: s.components.loss_objectness,
  lossRpnBoxReg: s.components.loss_rpn_box_reg,
  mapBbox: det?.mapBbox ?? null,
  mapSegm: det?.mapSegm ?? null,
  accuracy: det?.accuracy ?? null,
});

/**
 * Trains one run end to end. Everything durable goes to PostgreSQL and DATA_DIR as it happens — one
 * metric row per epoch per split (upserted, so a resumed epoch replaces rather than duplicates) and a
 * checkpoint per epoch — so a worker that dies mid-run is replaced by one that resumes from the last
 * checkpoint. Cancel is a Redis flag checked between steps.
 */
export function trainRunHandler(deps: { db: Db; store: BlobStore; dataDir: string; redis: Redis; prefix: string; backend: string }) {
  const { db } = deps;
  return defineHandler(trainingJobSchema, async ({ data, signal, log }) => {
    const run = await db.trainingRun.findUnique({ where: { id: data.runId } });
    if (!run) throw new UnrecoverableError(`run ${data.runId} does not exist (deleted after launch?)`);
    if (run.status === 'completed' || run.status === 'cancelled') return { skipped: run.status };
    const parsedCfg = trainingConfigSchema.safeParse(run.config);
    const parsedSnap = datasetSnapshotSchema.safeParse(run.datasetSnapshot);
    const fail = async (message: string) => {
      await db.trainingRun.update({ where: { id: run.id }, data: { status: 'failed', error: message, finishedAt: new Date() } });
      return new UnrecoverableError(message);
    };
    if (!parsedCfg.success) throw await fail(`stored config is invalid: ${parsedCfg.error.issues[0]?.message}`);
    if (!parsedSnap.success) throw await fail('the run has no dataset snapshot');
    const cfg = parsedCfg.data;
    const snapshot = parsedSnap.data;
    const classNames = snapshot.classes.map((c) => c.name);
    const modelCfg = modelConfigFor(cfg, classNames.length);

    await db.trainingRun.update({ where: { id: run.id }, data: { status: 'running', startedAt: run.startedAt ?? new Date(), backend: deps.backend, error: null } });
    let model: MaskRCNN | undefined;
    try {
      const short = modelCfg.transform.minSize;
      const load = (split: 'train' | 'val' | 'test') => loadSplitSamples(db, deps.store, snapshot, split, short);
      const trainSet = await load('train');
      const valSet = await load('val');
      const testSet = await load('test');
      if (trainSet.length === 0) throw await fail('the train split has no annotated images');
      if (cfg.batchSize > trainSet.length) throw await fail(`batchSize ${cfg.batchSize} is larger than the train split (${trainSet.length} images)`);

      const resume = await loadLatestCheckpoint(db, deps.dataDir, run.id);
      model = resume?.model ?? (await initialModel(db, deps.dataDir, cfg, modelCfg, classNames.length)) ?? MaskRCNN.init(modelCfg, cfg.seed);
      const startEpoch = resume ? resume.epoch : 0;
      if (resume) log('info', 'resuming from checkpoint', { epoch: resume.epoch });
      const stepsPerEpoch = Math.ceil(trainSet.length / (cfg.batchSize * cfg.gradientAccumulation));
      const { augment, ignored } = augmentFor(cfg);
      if (ignored.length) log('warn', 'augmentations not applied yet', { ignored });
      const cancelKey = runCancelKey(deps.prefix, run.id);
      let steps = 0;
      const started = Date.now();

      await train({
        model,
        train: trainSet,
        val: valSet,
        test: testSet,
        epochs: cfg.epochs,
        batchSize: cfg.batchSize,
        accumulation: cfg.gradientAccumulation,
        optimizer: optimizerFor(cfg),
        schedule: scheduleFor(cfg, stepsPerEpoch),
        clipNorm: cfg.gradientClipNorm,
        seed: cfg.seed,
        augment,
        startEpoch,
        optimizerState: resume?.slots,
        signal,
        onStep: async (s) => {
          steps++;
          if (await deps.redis.exists(cancelKey)) throw new RunCancelled();
          const done = s.step + 1;
          await db.$transaction([
            db.stepMetric.upsert({ where: { runId_step: { runId: run.id, step: s.step } }, create: { runId: run.id, step: s.step, epoch: s.epoch + 1, loss: s.loss, learningRate: s.learningRate }, update: { loss: s.loss, learningRate: s.learningRate } }),
            db.trainingRun.update({ where: { id: run.id }, data: { progress: Math.min(1, done / (stepsPerEpoch * cfg.epochs)) } }),
          ]);
          if (steps % 10 === 0) log('info', 'training', { step: s.step, loss: s.loss, imagesPerSecond: (steps * cfg.batchSize) / ((Date.now() - started) / 1000) });
        },
        onEpoch: async (r, trainer) => {
          const epoch = r.epoch + 1;
          const [valDet, testDet] = [valSet.length ? await detectionMetrics(model!, valSet, classNames) : undefined, testSet.length ? await detectionMetrics(model!, testSet, classNames) : undefined];
          await recordEpochMetrics(db, run.id, [
            metricRow(epoch, 'train', r.train),
            ...(r.val ? [metricRow(epoch, 'val', r.val, valDet)] : []),
            ...(r.test ? [metricRow(epoch, 'test', r.test, testDet)] : []),
          ]);
          await writeCheckpoint({ db, dataDir: deps.dataDir, runId: run.id, epoch, model: model!, classes: classNames, slots: await trainer.optimizerState(), valLoss: r.val?.loss ?? null, training: { runId: run.id, epoch, step: r.step } });
          await db.trainingRun.update({ where: { id: run.id }, data: { epochsDone: epoch } });
          log('info', 'epoch done', { epoch, trainLoss: r.train.loss, valLoss: r.val?.loss, seconds: Math.round(r.seconds) });
        },
      });
      await db.trainingRun.update({ where: { id: run.id }, data: { status: 'completed', progress: 1, finishedAt: new Date() } });
      return { epochs: cfg.epochs };
    } catch (err) {
      if (err instanceof RunCancelled) {
        await db.trainingRun.update({ where: { id: run.id }, data: { status: 'cancelled', finishedAt: new Date() } });
        await deps.redis.del(runCancelKey(deps.prefix, run.id));
        return { cancelled: true };
      }
      if (err instanceof UnrecoverableError) throw err;
      if (signal.aborted) throw err; // shutdown: the runtime hands the job back; the next worker resumes
      const message = err instanceof TrainingDivergedError ? err.message : `training failed: ${(err as Error).message}`;
      await db.trainingRun.update({ where: { id: run.id }, data: { status: 'failed', error: message, finishedAt: new Date() } });
      throw new UnrecoverableError(message);
    } finally {
      model?.dispose();
    }
  });
}
