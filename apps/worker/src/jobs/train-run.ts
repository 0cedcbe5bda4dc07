import { datasetSnapshotSchema, trainingConfigSchema, trainingJobSchema, type DatasetSnapshot, type TrainingConfig } from '@segmenta/contracts';
import {
  assertLease, claimRun, findRunCheckpoint, handBackRun, recordEpochMetrics, recordRunEpoch, recordRunStep, rewindRun, RunLeaseLostError, RunTransitionError,
  type BlobStore, type Db, type RunLease,
} from '@segmenta/db';
import { detectionMetrics, train, type MaskRCNN, type MaskRCNNConfig, type TrainingSample } from '@segmenta/maskrcnn';
import { UnrecoverableError } from 'bullmq';
import { defineHandler, type JobContext } from '../runtime';
import { writeCheckpoint } from '../training/checkpoints';
import { augmentFor, modelConfigFor, optimizerFor, scheduleFor } from '../training/run-config';
import { RunLogWriter } from '../training/run-log';
import { during, outcomeOf, RunFailure, settle, type AttemptState, type Outcome } from '../training/run-outcome';
import { configSummary, epochLine, metricRow, num } from '../training/run-summary';
import { loadSplitSamples } from '../training/samples';
import { startingPoint, type StartingPoint } from '../training/starting-weights';

interface Deps {
  db: Db;
  store: BlobStore;
  dataDir: string;
  backend: string;
  threads?: number;
}

interface Plan {
  cfg: TrainingConfig;
  snapshot: DatasetSnapshot;
  classNames: string[];
  modelCfg: MaskRCNNConfig;
}

type Splits = Record<'train' | 'val' | 'test', TrainingSample[]>;

/**
 * Takes the run for this worker. A run still marked running lost its worker (this one holds the job's
 * lock now, so the other's lapsed): that attempt is handed back first. Null when there is nothing to
 * do: the run was cancelled, completed or failed before this job reached it.
 */
async function claim(db: Db, runId: string, backend: string): Promise<(RunLease & { restarted: boolean }) | null> {
  const row = await db.trainingRun.findUnique({ where: { id: runId }, select: { status: true, attempt: true } });
  if (!row) throw new UnrecoverableError(`run ${runId} does not exist (deleted after launch?)`);
  const refused = (err: unknown) => {
    if (err instanceof RunTransitionError || err instanceof RunLeaseLostError) return null;
    throw err;
  };
  // Refused when the watchdog (or a cancel) moved it first: the claim below then decides.
  if (row.status === 'running') {
    await handBackRun(db, { runId, attempt: row.attempt }, `The worker of attempt ${row.attempt} stopped without a word (killed — out of memory? — or its machine was lost); taking over from the last checkpoint`).catch(refused);
  }
  return claimRun(db, runId, { backend }).catch(refused);
}

/** The stored config and dataset snapshot, as the model and the trainer need them. */
function readPlan(run: { config: unknown; datasetSnapshot: unknown }): Plan {
  const cfg = trainingConfigSchema.safeParse(run.config);
  if (!cfg.success) throw new RunFailure(`stored config is invalid: ${cfg.error.issues[0]?.message}`);
  const snapshot = datasetSnapshotSchema.safeParse(run.datasetSnapshot);
  if (!snapshot.success) throw new RunFailure('the run has no dataset snapshot');
  const classNames = snapshot.data.classes.map((c) => c.name);
  return { cfg: cfg.data, snapshot: snapshot.data, classNames, modelCfg: modelConfigFor(cfg.data, classNames.length) };
}

async function loadData(deps: Deps, plan: Plan, runLog: RunLogWriter): Promise<Splits> {
  const load = (split: 'train' | 'val' | 'test') => loadSplitSamples(deps.db, deps.store, plan.snapshot, split, plan.modelCfg.transform.minSize);
  const data = { train: await load('train'), val: await load('val'), test: await load('test') };
  if (data.train.length === 0) throw new RunFailure('the train split has no annotated images');
  if (plan.cfg.batchSize > data.train.length) throw new RunFailure(`batchSize ${plan.cfg.batchSize} is larger than the train split (${data.train.length} images)`);
  runLog.info(`Dataset: ${data.train.length} train, ${data.val.length} val, ${data.test.length} test image(s); classes ${plan.classNames.join(', ')}`);
  return data;
}

/** The epochs still to do, each step and epoch stored as it ends; every write is the attempt's own. */
async function trainEpochs(deps: Deps, ctx: JobContext<unknown>, a: AttemptState, plan: Plan, data: Splits, model: MaskRCNN, start: StartingPoint) {
  const { db } = deps;
  const { cfg, classNames } = plan;
  const runId = a.lease.runId;
  const stepsPerEpoch = Math.ceil(data.train.length / (cfg.batchSize * cfg.gradientAccumulation));
  const totalSteps = stepsPerEpoch * cfg.epochs;
  await rewindRun(db, a.lease, { epoch: start.epoch, step: start.epoch * stepsPerEpoch, progress: start.epoch / cfg.epochs });
  a.runLog.info(`${stepsPerEpoch} step(s) per epoch; epochs ${start.epoch + 1}–${cfg.epochs} to go`);
  let steps = 0;
  const started = Date.now();
  await train({
    model,
    ...data,
    epochs: cfg.epochs,
    batchSize: cfg.batchSize,
    accumulation: cfg.gradientAccumulation,
    optimizer: optimizerFor(cfg),
    schedule: scheduleFor(cfg, stepsPerEpoch),
    clipNorm: cfg.gradientClipNorm,
    seed: cfg.seed,
    augment: augmentFor(cfg),
    startEpoch: start.epoch,
    optimizerState: start.slots,
    signal: ctx.signal,
    onStep: async (s) => {
      const done = s.step + 1;
      // Refused once the run is no longer this attempt's (cancelled, taken over): training stops here.
      await recordRunStep(db, a.lease, { step: s.step, epoch: s.epoch + 1, loss: s.loss, learningRate: s.learningRate }, Math.min(1, done / totalSteps));
      await ctx.progress(done, totalSteps);
      a.lastStep = s.step;
      if (++steps % 10 === 0) {
        const imagesPerSecond = (steps * cfg.batchSize) / ((Date.now() - started) / 1000);
        ctx.log('info', 'training', { step: s.step, loss: s.loss, imagesPerSecond });
        a.runLog.info(`Step ${done}/${totalSteps} · loss ${num(s.loss)} · lr ${s.learningRate.toExponential(2)} · ${imagesPerSecond.toFixed(2)} images/s`);
      }
    },
    onEpoch: async (r, trainer) => {
      const epoch = r.epoch + 1;
      const [valDet, testDet] = await during(`evaluating epoch ${epoch}`, async () => {
        const det = [data.val.length ? await detectionMetrics(model, data.val, classNames) : undefined, data.test.length ? await detectionMetrics(model, data.test, classNames) : undefined] as const;
        // Epoch rows and checkpoints are the run's history: only the attempt that holds the run writes them.
        await assertLease(db, a.lease);
        await recordEpochMetrics(db, runId, [metricRow(epoch, 'train', r.train), ...(r.val ? [metricRow(epoch, 'val', r.val, det[0])] : []), ...(r.test ? [metricRow(epoch, 'test', r.test, det[1])] : [])]);
        return det;
      });
      await assertLease(db, a.lease);
      await during(`saving the checkpoint of epoch ${epoch}`, async () =>
        writeCheckpoint({ db, dataDir: deps.dataDir, runId, epoch, model, classes: classNames, slots: await trainer.optimizerState(), valLoss: r.val?.loss ?? null, training: { runId, epoch, step: r.step } }),
      );
      a.runLog.info(epochLine(r, cfg.epochs, valDet, testDet));
      const best = await findRunCheckpoint(db, runId);
      a.runLog.info(`Saved checkpoint of epoch ${epoch}${best ? `; best is epoch ${best.epoch}${best.valLoss != null ? ` (val loss ${num(best.valLoss)})` : ''}` : ''}`);
      // Stored before epochsDone moves, so whoever sees the epoch counted also finds its log lines.
      await a.runLog.flush();
      await recordRunEpoch(db, a.lease, epoch);
      ctx.log('info', 'epoch done', { epoch, trainLoss: r.train.loss, valLoss: r.val?.loss, seconds: Math.round(r.seconds) });
    },
  });
  return `Completed ${cfg.epochs} epoch(s); this attempt took ${((Date.now() - started) / 1000).toFixed(1)} s`;
}

/**
 * Trains one run end to end, as a sequence of steps: claim → plan → data → starting weights → epochs.
 * Whatever ends an attempt — completion, any error in any step, a cancel, a shutdown, another worker
 * taking over — goes to `settle`, which records exactly one outcome. Everything durable is written as
 * it happens (a metric row per epoch per split, a checkpoint per epoch), so the next attempt resumes
 * from the last checkpoint.
 */
export function trainRunHandler(deps: Deps) {
  return defineHandler(trainingJobSchema, async (ctx) => {
    const lease = await claim(deps.db, ctx.data.runId, deps.backend);
    if (!lease) return { skipped: true };
    const a: AttemptState = { db: deps.db, lease, runLog: new RunLogWriter(deps.db, lease.runId), lastStep: -1 };
    // Between steps: a shutdown hands the run back, a cancel (or a takeover) ends this attempt.
    const betweenSteps = async () => {
      ctx.signal.throwIfAborted();
      await assertLease(deps.db, lease);
    };
    let model: MaskRCNN | undefined;
    let outcome: Outcome;
    try {
      const plan = readPlan(await deps.db.trainingRun.findUniqueOrThrow({ where: { id: lease.runId }, select: { config: true, datasetSnapshot: true } }));
      const backend = deps.threads && deps.threads > 1 ? `${deps.backend} (${deps.threads} threads)` : deps.backend;
      a.runLog.info(`${lease.restarted ? 'Restarted' : 'Started'} · ${configSummary(plan.cfg, backend, plan.modelCfg)}`);
      const data = await during('loading the dataset', () => loadData(deps, plan, a.runLog));
      await betweenSteps();
      const start = await during('loading the starting weights', () => startingPoint(deps.db, deps.dataDir, lease.runId, plan.cfg, plan.modelCfg, plan.classNames.length, lease.restarted));
      model = start.model;
      if (start.epoch > 0) ctx.log('info', 'resuming from checkpoint', { epoch: start.epoch });
      a.runLog.info(start.line);
      await betweenSteps();
      outcome = { kind: 'completed', line: await trainEpochs(deps, ctx, a, plan, data, model, start) };
    } catch (err) {
      outcome = outcomeOf(err, ctx.signal);
    } finally {
      model?.dispose();
    }
    return settle(a, outcome);
  });
}
