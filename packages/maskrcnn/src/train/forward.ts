// Mask R-CNN in training mode (torchvision GeneralizedRCNN.forward with targets): transform, body + FPN,
// RPN losses and proposals (top-n train settings, no gradient through the proposals), RoI sampling,
// box and mask heads and their losses. Synchronous (reads RPN outputs with dataSync) so that it can run
// inside tf.variableGrads / optimizer.minimize; call it there or in tf.tidy so intermediates are freed.
import * as tf from '@tensorflow/tfjs-core';
import type { MaskRCNNConfig } from '../config/types';
import { generateAnchors } from '../ops/anchors';
import { multiScaleRoiAlign } from '../ops/multi-scale-roi-align';
import { resizeBoxes, transformImages, type Size } from '../ops/transform';
import type { BackboneBody } from '../model/backbone';
import { boxHeadForward } from '../model/box-head';
import { maskHeadForward } from '../model/mask-head';
import { extractFeatures, makeBody } from '../model/network';
import type { Params } from '../model/params';
import { selectProposals } from '../model/proposals';
import { rpnHeadForward } from '../model/rpn-head';
import { fastRcnnLosses, maskLoss, rpnLosses, type LossName } from './losses';
import { balancedSampler, randomChoose, type SampleFn } from './sampler';
import { maskTargets, resizeMasks, rpnTargets, sampleRoiTargets, type ImageTargets, type RoiTrainingSamples } from './targets';

/** Ground truth of one input image, in its original pixel coordinates. */
export interface TrainingTarget {
  /** [G, 4] (x1, y1, x2, y2). */
  boxes: Float32Array;
  /** [G] classes in 1..numClasses-1. */
  labels: Int32Array;
  /** [G, H, W] binary masks at the original image size. */
  masks: Uint8Array;
}

export interface TrainingHooks {
  /** Draws the RPN's anchors per image (default: balanced sampler over `random`). */
  rpnSampler?: SampleFn;
  /** Draws the RoI heads' proposals per image (default: balanced sampler over `random`). */
  roiSampler?: SampleFn;
  /** Uniform [0, 1) source for the default samplers; Math.random when absent. */
  random?: () => number;
  /** Replaces an image's RPN proposals (e.g. with a reference's) before the RoI heads see them. */
  proposals?: (image: number, computed: Float32Array) => Float32Array;
  /** The backbone body, when the caller already built it. */
  body?: BackboneBody;
}

/** What the forward decided, for inspection and parity tests (resized-image coordinates). */
export interface TrainingTrace {
  imageSizes: Size[];
  anchors: Float32Array;
  rpnLabels: Int8Array[];
  rpnSampled: { pos: Int32Array; neg: Int32Array }[];
  proposals: Float32Array[];
  roi: RoiTrainingSamples[];
  maskTargets: Float32Array[];
}

export interface TrainingOutput {
  losses: Record<LossName, tf.Scalar>;
  /** Sum of the five losses (tf.add chain: AddN has no gradient). */
  total: tf.Scalar;
  trace: TrainingTrace;
}

function concat(parts: readonly ArrayLike<number>[], make: (n: number) => Float32Array | Int32Array | Int8Array) {
  const out = make(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Targets mapped to the resized image the network sees, as torchvision's transform does. */
export function resizeTargets(t: TrainingTarget, from: Size, to: Size): ImageTargets {
  const g = t.labels.length;
  if (t.boxes.length !== g * 4 || t.masks.length !== g * from[0] * from[1]) throw new Error('target boxes/labels/masks disagree in count or size');
  return { boxes: resizeBoxes(t.boxes, from, to), labels: t.labels, masks: resizeMasks(t.masks, from, to) };
}

/**
 * Losses of one batch of [H, W, 3] images in [0, 1] with their targets, differentiable w.r.t. the
 * trainable variables behind `params`.
 */
export function trainingLosses(
  params: Params,
  cfg: MaskRCNNConfig,
  images: readonly tf.Tensor3D[],
  targets: readonly TrainingTarget[],
  hooks: TrainingHooks = {},
): TrainingOutput {
  if (images.length !== targets.length) throw new Error(`${images.length} images but ${targets.length} targets`);
  const body = hooks.body ?? makeBody(cfg.backbone);
  const choose = randomChoose(hooks.random ?? Math.random);
  const rpnSample = hooks.rpnSampler ?? balancedSampler({ ...cfg.rpn, choose });
  const roiSample = hooks.roiSampler ?? balancedSampler({ ...cfg.roiHeads, choose });

  const batch = transformImages(images, cfg.transform);
  const gts = targets.map((t, i) => resizeTargets(t, batch.originalSizes[i]!, batch.imageSizes[i]!));
  const feats = extractFeatures(body, params, batch.images);

  // RPN
  const rpn = rpnHeadForward(params, feats);
  const anchorSet = generateAnchors(
    { sizes: cfg.anchors.sizes.map((s) => [s]), aspectRatios: cfg.anchors.sizes.map(() => cfg.anchors.aspectRatios) },
    [batch.images.shape[1], batch.images.shape[2]],
    feats.map((f) => [f.shape[1], f.shape[2]] as [number, number]),
  );
  const anchors = anchorSet.boxes;
  const a = anchors.length / 4;
  if (a !== rpn.objectness.shape[1]) throw new Error('anchors and RPN head disagree on anchors per level');
  const logits = rpn.objectness.dataSync() as Float32Array;
  const deltas = rpn.deltas.dataSync() as Float32Array;
  const proposals = batch.imageSizes.map((size, i) => {
    const p = selectProposals(logits.subarray(i * a, (i + 1) * a), deltas.subarray(i * a * 4, (i + 1) * a * 4), anchors, anchorSet.perLevel, size, {
      preNmsTopN: cfg.rpn.preNmsTopNTrain,
      postNmsTopN: cfg.rpn.postNmsTopNTrain,
      nmsThresh: cfg.rpn.nmsThresh,
      scoreThresh: cfg.rpn.scoreThresh,
      minBoxSize: cfg.rpn.minBoxSize,
      boxCoderWeights: cfg.rpn.boxCoderWeights,
    }).boxes;
    return hooks.proposals ? hooks.proposals(i, p) : p;
  });
  const rpnT = gts.map((g) => rpnTargets(anchors, g.boxes, { ...cfg.rpn, boxCoderWeights: cfg.rpn.boxCoderWeights }));
  const rpnSampled = rpnT.map((t, i) => rpnSample(t.labels, i));
  const n = images.length;
  const rpnL = rpnLosses(
    {
      objectness: tf.reshape(rpn.objectness, [n * a]),
      deltas: tf.reshape(rpn.deltas, [n * a, 4]),
      labels: concat(rpnT.map((t) => t.labels), (k) => new Int8Array(k)),
      regression: concat(rpnT.map((t) => t.regression), (k) => new Float32Array(k)) as Float32Array,
      pos: concat(rpnSampled.map((s, i) => s.pos.map((j) => j + i * a)), (k) => new Int32Array(k)),
      neg: concat(rpnSampled.map((s, i) => s.neg.map((j) => j + i * a)), (k) => new Int32Array(k)),
    },
    cfg.rpn.smoothL1Beta,
  );

  // Box head on the sampled proposals
  const roi = proposals.map((p, i) => sampleRoiTargets(p, gts[i]!, cfg.roiHeads, roiSample, i));
  const levels = feats.slice(0, 4); // MultiScaleRoIAlign pools '0'..'3', never 'pool'
  const roiOpts = { samplingRatio: cfg.roiHeads.samplingRatio, canonicalScale: cfg.roiHeads.canonicalScale, canonicalLevel: cfg.roiHeads.canonicalLevel };
  const pooled = multiScaleRoiAlign(levels, roi.map((r) => r.boxes), batch.imageSizes, { ...roiOpts, outputSize: cfg.roiHeads.boxRoiPoolSize });
  const head = boxHeadForward(params, pooled);
  const boxL = fastRcnnLosses(
    {
      classLogits: head.classLogits,
      boxDeltas: head.boxDeltas,
      labels: concat(roi.map((r) => r.labels), (k) => new Int32Array(k)) as Int32Array,
      regression: concat(roi.map((r) => r.regression), (k) => new Float32Array(k)) as Float32Array,
    },
    cfg.roiHeads.smoothL1Beta,
  );

  // Mask head on the positive samples
  const m = 2 * cfg.roiHeads.maskRoiPoolSize;
  const positives = roi.map((r) => {
    const idx = [...r.labels.keys()].filter((j) => r.labels[j]! > 0);
    const boxes = new Float32Array(idx.length * 4);
    idx.forEach((j, k) => boxes.set(r.boxes.subarray(j * 4, j * 4 + 4), k * 4));
    return { boxes, labels: Int32Array.from(idx, (j) => r.labels[j]!), matched: Int32Array.from(idx, (j) => r.matchedGt[j]!) };
  });
  const mTargets = positives.map((p, i) => maskTargets(gts[i]!.masks, batch.imageSizes[i]!, p.boxes, p.matched, m));
  const posLabels = concat(positives.map((p) => p.labels), (k) => new Int32Array(k)) as Int32Array;
  let maskLogits: tf.Tensor4D | null = null;
  if (posLabels.length > 0) {
    const maskPooled = multiScaleRoiAlign(levels, positives.map((p) => p.boxes), batch.imageSizes, { ...roiOpts, outputSize: cfg.roiHeads.maskRoiPoolSize });
    maskLogits = maskHeadForward(params, maskPooled, cfg.maskHead.layers.length, cfg.maskHead.dilation);
  }
  const lossMask = maskLoss(maskLogits, posLabels, concat(mTargets, (k) => new Float32Array(k)) as Float32Array, params.get('roi_heads.mask_predictor.mask_fcn_logits.bias'));

  const losses: Record<LossName, tf.Scalar> = { ...rpnL, ...boxL, loss_mask: lossMask };
  const total = tf.add(tf.add(tf.add(losses.loss_objectness, losses.loss_rpn_box_reg), tf.add(losses.loss_classifier, losses.loss_box_reg)), losses.loss_mask) as tf.Scalar;
  return {
    losses,
    total,
    trace: { imageSizes: batch.imageSizes, anchors, rpnLabels: rpnT.map((t) => t.labels), rpnSampled, proposals, roi, maskTargets: mTargets },
  };
}
