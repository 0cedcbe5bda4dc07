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
import { RunLogWriter } from '../training/run-log';

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

const num = (v: number | null | undefined, d = 4) => (v == null || !Number.isFinite(v) ? '—' : v.toFixed(d));

/** The line a researcher reads first: what this attempt trains, where, and how. */
function configSummary(cfg: TrainingConfig, backend: string, model: MaskRCNNConfig): string {
  const o = cfg.optimizer;
  const opt = o.type === 'adam' ? `Adam lr ${o.learningRate} wd ${o.weightDecay}` : `SGD lr ${o.learningRate} momentum ${o.momentum} wd ${o.weightDecay}`;
  const s = cfg.schedule;
  const sched = s.type === 'step' ? `step every ${s.stepSizeEpochs} epoch(s) ×${s.gamma}` : s.type;
  return `Backend ${backend} · preset ${cfg.preset} (backbone ${model.backbone.kind}, short side ${model.transform.minSize}) · ${cfg.epochs} epoch(s) · batch ${cfg.batchSize}×${cfg.gradientAccumulation} · ${opt} · schedule ${sched}${s.warmupSteps ? ` warmup ${s.warmupSteps}` : ''} · seed ${cfg.seed}`;
}

function initSummary(cfg: TrainingConfig): string {
  if (cfg.init.kind === 'none') return `Starting from random weights (seed ${cfg.seed})`;
  if (cfg.init.kind === 'run') return `Starting from run ${cfg.init.runId}'s ${cfg.init.checkpointId ? `checkpoint ${cfg.init.checkpointId}` : 'best checkpoint'}`;
  return `Starting from imported weights at ${cfg.init.weightsPath}`;
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
export function trainRunHandler(deps: { db: Db; store: BlobStore; dataDir: string; redis: Redis; prefix: string; backend: string; threads?: number }) {
  const { db } = deps;
  return defineHandler(trainingJobSchema, async ({ data, signal, log }) => {
    const run = await db.trainingRun.findUnique({ where: { id: data.runId } });
    if (!run) throw new UnrecoverableError(`run ${data.runId} does not exist (deleted after launch?)`);
    if (run.status === 'completed' || run.status === 'cancelled') return { skipped: run.status };
    const runLog = new RunLogWriter(db, run.id);
    const parsedCfg = trainingConfigSchema.safeParse(run.config);
    const parsedSnap = datasetSnapshotSchema.safeParse(run.datasetSnapshot);
    const fail = async (message: string) => {
      runLog.error(`Failed: ${message}`);
      await runLog.flush();
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
    // startedAt survives a crash, a stall hand-over and a resume, so it tells a restart from a start.
    runLog.info(`${run.startedAt ? 'Restarted' : 'Started'} · ${configSummary(cfg, deps.threads && deps.threads > 1 ? `${deps.backend} (${deps.threads} threads)` : deps.backend, modelCfg)}`);
    let model: MaskRCNN | undefined;
    let lastStep = -1;
    try {
      const short = modelCfg.transform.minSize;
      const load = (split: 'train' | 'val' | 'test') => loadSplitSamples(db, deps.store, snapshot, split, short);
      const trainSet = await load('train');
      const valSet = await load('val');
      const testSet = await load('test');
      if (trainSet.length === 0) throw await fail('the train split has no annotated images');
      if (cfg.batchSize > trainSet.length) throw await fail(`batchSize ${cfg.batchSize} is larger than the train split (${trainSet.length} images)`);
      runLog.info(`Dataset: ${trainSet.length} train, ${valSet.length} val, ${testSet.length} test image(s); classes ${classNames.join(', ')}`);

      const resume = await loadLatestCheckpoint(db, deps.dataDir, run.id);
      model = resume?.model ?? (await initialModel(db, deps.dataDir, cfg, modelCfg, classNames.length)) ?? MaskRCNN.init(modelCfg, cfg.seed);
      const startEpoch = resume ? resume.epoch : 0;
      if (resume) log('info', 'resuming from checkpoint', { epoch: resume.epoch });
      runLog.info(resume ? `Resuming from the checkpoint of epoch ${resume.epoch}; epochs 1–${resume.epoch} keep their metrics` : initSummary(cfg));
      const stepsPerEpoch = Math.ceil(trainSet.length / (cfg.batchSize * cfg.gradientAccumulation));
      const augment = augmentFor(cfg);
      runLog.info(`${stepsPerEpoch} step(s) per epoch; epochs ${startEpoch + 1}–${cfg.epochs} to go`);
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
          lastStep = s.step;
          if (steps % 10 === 0) {
            const imagesPerSecond = (steps * cfg.batchSize) / ((Date.now() - started) / 1000);
            log('info', 'training', { step: s.step, loss: s.loss, imagesPerSecond });
            runLog.info(`Step ${done}/${stepsPerEpoch * cfg.epochs} · loss ${num(s.loss)} · lr ${s.learningRate.toExponential(2)} · ${imagesPerSecond.toFixed(2)} images/s`);
          }
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
          const quality = (d?: { mapSegm: number; mapBbox: number; accuracy: number }) => (d ? ` (segm mAP ${num(d.mapSegm, 3)}, bbox mAP ${num(d.mapBbox, 3)}, accuracy ${num(d.accuracy, 3)})` : '');
          runLog.info(
            `Epoch ${epoch}/${cfg.epochs} · train loss ${num(r.train.loss)}` +
              (r.val ? ` · val loss ${num(r.val.loss)}${quality(valDet)}` : ' · no val split') +
              (r.test ? ` · test loss ${num(r.test.loss)}${quality(testDet)}` : '') +
              ` · ${r.seconds.toFixed(1)} s (waiting for data ${r.dataWaitSeconds.toFixed(1)} s, val/test loss ${r.evalSeconds.toFixed(1)} s)`,
          );
          const best = await db.checkpoint.findFirst({ where: { runId: run.id, isBest: true }, select: { epoch: true, valLoss: true } });
          runLog.info(`Saved checkpoint of epoch ${epoch}${best ? `; best is epoch ${best.epoch}${best.valLoss != null ? ` (val loss ${num(best.valLoss)})` : ''}` : ''}`);
          // Stored before epochsDone moves, so whoever sees the epoch counted also finds its log lines.
          await runLog.flush();
          await db.trainingRun.update({ where: { id: run.id }, data: { epochsDone: epoch } });
          log('info', 'epoch done', { epoch, trainLoss: r.train.loss, valLoss: r.val?.loss, seconds: Math.round(r.seconds) });
        },
      });
      // Logged before the status changes, so a reader that stops at "completed" has every line.
      runLog.info(`Completed ${cfg.epochs} epoch(s); this attempt took ${((Date.now() - started) / 1000).toFixed(1)} s`);
      await runLog.flush();
      await db.trainingRun.update({ where: { id: run.id }, data: { status: 'completed', progress: 1, finishedAt: new Date() } });
      return { epochs: cfg.epochs };
    } catch (err) {
      if (err instanceof RunCancelled) {
        const kept = await db.checkpoint.findFirst({ where: { runId: run.id }, orderBy: { epoch: 'desc' }, select: { epoch: true } });
        runLog.warn(`Cancelled after step ${lastStep + 1}; ${kept ? `keeping the checkpoint of epoch ${kept.epoch} to resume from` : 'no checkpoint yet, a resume starts over'}`);
        await runLog.flush();
        await db.trainingRun.update({ where: { id: run.id }, data: { status: 'cancelled', finishedAt: new Date() } });
        await deps.redis.del(runCancelKey(deps.prefix, run.id));
        return { cancelled: true };
      }
      if (err instanceof UnrecoverableError) {
        // fail() has logged its own messages; init errors and the like arrive here unlogged.
        if (!(await db.trainingRun.findUnique({ where: { id: run.id }, select: { error: true } }))?.error) runLog.error(`Failed: ${err.message}`);
        throw err;
      }
      if (signal.aborted) {
        runLog.warn('Worker shutting down; the job goes back to the queue and resumes from the last checkpoint');
        throw err; // shutdown: the runtime hands the job back; the next worker resumes
      }
      const message = err instanceof TrainingDivergedError ? err.message : `training failed: ${(err as Error).message}`;
      runLog.error(`Failed: ${message}`);
      await runLog.flush();
      await db.trainingRun.update({ where: { id: run.id }, data: { status: 'failed', error: message, finishedAt: new Date() } });
      throw new UnrecoverableError(message);
    } finally {
      model?.dispose();
      await runLog.flush();
    }
  });
}
