import path from 'node:path';
import type { TrainingConfig } from '@segmenta/contracts';
import { findRunCheckpoint, type Db } from '@segmenta/db';
import { loadCheckpoint, MaskRCNN, type MaskRCNNConfig, type SlotTensor } from '@segmenta/maskrcnn';
import { loadLatestCheckpoint } from './checkpoints';
import { RunFailure } from './run-outcome';
import { initSummary } from './run-summary';

export interface StartingPoint {
  model: MaskRCNN;
  /** Epochs already done (0 when starting over). */
  epoch: number;
  slots?: SlotTensor[];
  /** The run log's account of it. */
  line: string;
}

/** Weights the config asks to start from: a previous run's checkpoint or an imported model directory. */
async function initialModel(db: Db, dataDir: string, cfg: TrainingConfig, modelCfg: MaskRCNNConfig, classCount: number): Promise<MaskRCNN | null> {
  let dir: string;
  if (cfg.init.kind === 'none') return null;
  if (cfg.init.kind === 'run') {
    const { runId, checkpointId } = cfg.init;
    const ckpt = await findRunCheckpoint(db, runId, checkpointId);
    if (!ckpt) throw new RunFailure(`init: run ${runId} has no ${checkpointId ? `checkpoint ${checkpointId}` : 'best checkpoint'}`);
    dir = path.join(dataDir, ckpt.path);
  } else {
    dir = cfg.init.weightsPath;
  }
  const loaded = await loadCheckpoint(dir).catch((err: Error) => {
    throw new RunFailure(`init: cannot load initial weights from ${dir}: ${err.message}`);
  });
  if (loaded.model.cfg.numClasses !== classCount + 1) {
    loaded.model.dispose();
    throw new RunFailure(`init: the weights in ${dir} predict ${loaded.model.cfg.numClasses - 1} classes but the project has ${classCount}; import them with --num-classes ${classCount + 1}`);
  }
  if (loaded.model.cfg.backbone.kind !== modelCfg.backbone.kind) {
    loaded.model.dispose();
    throw new RunFailure(`init: the weights in ${dir} are for backbone "${loaded.model.cfg.backbone.kind}", the run uses "${modelCfg.backbone.kind}"`);
  }
  return loaded.model;
}

/** Where this attempt starts: the run's newest checkpoint, else its initial weights (saying so on a restart). */
export async function startingPoint(db: Db, dataDir: string, runId: string, cfg: TrainingConfig, modelCfg: MaskRCNNConfig, classCount: number, restarted: boolean): Promise<StartingPoint> {
  const resume = await loadLatestCheckpoint(db, dataDir, runId);
  if (resume) return { ...resume, line: `Resuming from the checkpoint of epoch ${resume.epoch}; epochs 1–${resume.epoch} keep their metrics` };
  const model = (await initialModel(db, dataDir, cfg, modelCfg, classCount)) ?? MaskRCNN.init(modelCfg, cfg.seed);
  return { model, epoch: 0, line: `${restarted ? 'No checkpoint to resume from yet: starting over. ' : ''}${initSummary(cfg)}` };
}
