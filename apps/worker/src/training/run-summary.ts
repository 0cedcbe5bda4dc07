import type { EpochMetricDto, TrainingConfig } from '@segmenta/contracts';
import type { EpochResult, LossSummary, MaskRCNNConfig } from '@segmenta/maskrcnn';

// The lines of a run's log and the rows of its history, from what the trainer reports.

export const num = (v: number | null | undefined, d = 4) => (v == null || !Number.isFinite(v) ? '—' : v.toFixed(d));

/** The line a researcher reads first: what this attempt trains, where, and how. */
export function configSummary(cfg: TrainingConfig, backend: string, model: MaskRCNNConfig): string {
  const o = cfg.optimizer;
  const opt = o.type === 'adam' ? `Adam lr ${o.learningRate} wd ${o.weightDecay}` : `SGD lr ${o.learningRate} momentum ${o.momentum} wd ${o.weightDecay}`;
  const s = cfg.schedule;
  const sched = s.type === 'step' ? `step every ${s.stepSizeEpochs} epoch(s) ×${s.gamma}` : s.type;
  return `Backend ${backend} · preset ${cfg.preset} (backbone ${model.backbone.kind}, short side ${model.transform.minSize}) · ${cfg.epochs} epoch(s) · batch ${cfg.batchSize}×${cfg.gradientAccumulation} · ${opt} · schedule ${sched}${s.warmupSteps ? ` warmup ${s.warmupSteps}` : ''} · seed ${cfg.seed}`;
}

export function initSummary(cfg: TrainingConfig): string {
  if (cfg.init.kind === 'none') return `Starting from random weights (seed ${cfg.seed})`;
  if (cfg.init.kind === 'run') return `Starting from run ${cfg.init.runId}'s ${cfg.init.checkpointId ? `checkpoint ${cfg.init.checkpointId}` : 'best checkpoint'}`;
  return `Starting from imported weights at ${cfg.init.weightsPath}`;
}

export type Detection = { mapBbox: number; mapSegm: number; accuracy: number };

export const metricRow = (epoch: number, split: EpochMetricDto['split'], s: LossSummary, det?: Detection): EpochMetricDto => ({
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

export function epochLine(r: EpochResult, epochs: number, valDet?: Detection, testDet?: Detection): string {
  const quality = (d?: Detection) => (d ? ` (segm mAP ${num(d.mapSegm, 3)}, bbox mAP ${num(d.mapBbox, 3)}, accuracy ${num(d.accuracy, 3)})` : '');
  return (
    `Epoch ${r.epoch + 1}/${epochs} · train loss ${num(r.train.loss)}` +
    (r.val ? ` · val loss ${num(r.val.loss)}${quality(valDet)}` : ' · no val split') +
    (r.test ? ` · test loss ${num(r.test.loss)}${quality(testDet)}` : '') +
    ` · ${r.seconds.toFixed(1)} s (waiting for data ${r.dataWaitSeconds.toFixed(1)} s, val/test loss ${r.evalSeconds.toFixed(1)} s)`
  );
}
