// Training targets on typed arrays, as torchvision 0.14 builds them: RPN anchor labels and deltas
// (RegionProposalNetwork.assign_targets_to_anchors), RoI sampling with GT boxes appended
// (RoIHeads.select_training_samples) and 28×28 mask targets (project_masks_on_boxes).
import { boxIou, selectBoxes } from '../ops/boxes';
import { encodeBoxes, type BoxWeights } from '../ops/box-coder';
import { buildTaps, roiAlignForward } from '../ops/roi-align';
import { sampleRois } from '../ops/roi-align-sampling';
import type { Size } from '../ops/transform';
import { BELOW_LOW_THRESHOLD, BETWEEN_THRESHOLDS, matchPredictions } from './matcher';
import type { SampleFn } from './sampler';

const f32 = Math.fround;

/** Ground truth of one image in resized-image coordinates. */
export interface ImageTargets {
  /** [G, 4] (x1, y1, x2, y2). */
  boxes: Float32Array;
  /** [G] class indices >= 1. */
  labels: Int32Array;
  /** [G, H, W] binary masks at the resized image size (H, W). */
  masks: Uint8Array;
}

/**
 * Nearest-neighbour resize of G binary masks [G, H, W] to `to`, as torch's interpolate(mode='nearest')
 * picks source pixels: floor(dst · in/out) in float32, capped at in − 1.
 */
export function resizeMasks(masks: Uint8Array, from: Size, to: Size): Uint8Array {
  const [h, w] = from;
  const [oh, ow] = to;
  const g = masks.length / (h * w);
  const index = (n: number, inSize: number, outSize: number): Int32Array => {
    const scale = f32(inSize / outSize);
    return Int32Array.from({ length: n }, (_, d) =>
      outSize === inSize ? d : Math.min(Math.floor(f32(d * scale)), inSize - 1),
    );
  };
  const ys = index(oh, h, oh);
  const xs = index(ow, w, ow);
  const out = new Uint8Array(g * oh * ow);
  for (let k = 0; k < g; k++) {
    for (let y = 0; y < oh; y++) {
      const src = k * h * w + ys[y]! * w;
      const dst = (k * oh + y) * ow;
      for (let x = 0; x < ow; x++) out[dst + x] = masks[src + xs[x]!]!;
    }
  }
  return out;
}

export interface RpnTargetOptions {
  fgIouThresh: number;
  bgIouThresh: number;
  boxCoderWeights: BoxWeights;
}

export interface RpnTargets {
  /** [A] 1 foreground, 0 background, -1 ignored. */
  labels: Int8Array;
  /** [A, 4] deltas to the matched ground truth; zero where the label is not 1 (never read there). */
  regression: Float32Array;
}

export function rpnTargets(anchors: Float32Array, gtBoxes: Float32Array, o: RpnTargetOptions): RpnTargets {
  const a = anchors.length / 4;
  const g = gtBoxes.length / 4;
  const labels = new Int8Array(a);
  const regression = new Float32Array(a * 4);
  if (g === 0) return { labels, regression }; // background image: every anchor a negative
  const matches = matchPredictions(boxIou(gtBoxes, anchors), g, {
    highThreshold: o.fgIouThresh,
    lowThreshold: o.bgIouThresh,
    allowLowQualityMatches: true,
  });
  const pos: number[] = [];
  for (let i = 0; i < a; i++) {
    const m = matches[i]!;
    labels[i] = m >= 0 ? 1 : m === BETWEEN_THRESHOLDS ? -1 : 0;
    if (m >= 0) pos.push(i);
  }
  const encoded = encodeBoxes(
    selectBoxes(gtBoxes, pos.map((i) => matches[i]!)),
    selectBoxes(anchors, pos),
    o.boxCoderWeights,
  );
  pos.forEach((i, j) => regression.set(encoded.subarray(j * 4, j * 4 + 4), i * 4));
  return { labels, regression };
}

export interface RoiTargetOptions {
  fgIouThresh: number;
  bgIouThresh: number;
  boxCoderWeights: BoxWeights;
}

export interface RoiTrainingSamples {
  /** [R, 4] sampled proposals (GT boxes included among the candidates), ascending candidate order. */
  boxes: Float32Array;
  /** [R] class of each sample, 0 for background. */
  labels: Int32Array;
  /** [R] ground truth each sample was compared with (0 for background, as torchvision clamps). */
  matchedGt: Int32Array;
  /** [R, 4] deltas to the matched ground truth (10, 10, 5, 5 weights by default). */
  regression: Float32Array;
}

/** Candidate proposals of one image: the RPN's boxes followed by the ground-truth boxes. */
export function withGtProposals(proposals: Float32Array, gtBoxes: Float32Array): Float32Array {
  const out = new Float32Array(proposals.length + gtBoxes.length);
  out.set(proposals);
  out.set(gtBoxes, proposals.length);
  return out;
}

/** Labels every candidate (class, 0 background, -1 ignored) and its clamped matched ground truth. */
export function labelProposals(
  candidates: Float32Array,
  gt: Pick<ImageTargets, 'boxes' | 'labels'>,
  o: Pick<RoiTargetOptions, 'fgIouThresh' | 'bgIouThresh'>,
): { labels: Int32Array; matchedGt: Int32Array } {
  const n = candidates.length / 4;
  const g = gt.boxes.length / 4;
  if (g === 0) return { labels: new Int32Array(n), matchedGt: new Int32Array(n) };
  const matches = matchPredictions(boxIou(gt.boxes, candidates), g, { highThreshold: o.fgIouThresh, lowThreshold: o.bgIouThresh });
  const labels = new Int32Array(n);
  const matchedGt = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const m = matches[i]!;
    matchedGt[i] = Math.max(m, 0);
    labels[i] = m === BELOW_LOW_THRESHOLD ? 0 : m === BETWEEN_THRESHOLDS ? -1 : gt.labels[m]!;
  }
  return { labels, matchedGt };
}

/** select_training_samples for one image; `sample` draws from the candidates' labels. */
export function sampleRoiTargets(
  proposals: Float32Array,
  gt: Pick<ImageTargets, 'boxes' | 'labels'>,
  o: RoiTargetOptions,
  sample: SampleFn,
  image = 0,
): RoiTrainingSamples {
  const candidates = withGtProposals(proposals, gt.boxes);
  const { labels, matchedGt } = labelProposals(candidates, gt, o);
  const drawn = sample(labels, image);
  // torch.where(pos | neg): the samples in ascending candidate order
  const idx = Int32Array.from(new Set([...drawn.pos, ...drawn.neg])).sort();
  const boxes = selectBoxes(candidates, idx);
  const matched = Int32Array.from(idx, (i) => matchedGt[i]!);
  const gtBoxes = gt.boxes.length > 0 ? gt.boxes : new Float32Array(4);
  return {
    boxes,
    labels: Int32Array.from(idx, (i) => labels[i]!),
    matchedGt: matched,
    regression: encodeBoxes(selectBoxes(gtBoxes, matched), boxes, o.boxCoderWeights),
  };
}

/**
 * project_masks_on_boxes: RoIAlign (spatial scale 1, adaptive sampling, aligned=false) of each
 * sample's matched binary GT mask [G, H, W] over its box; returns [P, M, M] soft targets in [0, 1].
 */
export function maskTargets(masks: Uint8Array, size: Size, boxes: Float32Array, matchedGt: Int32Array, m: number): Float32Array {
  const p = boxes.length / 4;
  if (p === 0) return new Float32Array(0);
  const [h, w] = size;
  const shape: [number, number, number, number] = [masks.length / (h * w), h, w, 1];
  const s = sampleRois(shape, boxes, { outputSize: m, spatialScale: 1, samplingRatio: -1 }, matchedGt);
  return roiAlignForward(Float32Array.from(masks), shape, s, buildTaps(shape, s));
}
