// torchvision RegionProposalNetwork.filter_proposals at inference, on typed arrays: per-level top-n by
// logit, decode, sigmoid, clip, drop tiny boxes, score floor, NMS per level, global top-n.
import { clipBoxesToImage, removeSmallBoxes } from '../ops/boxes';
import { decodeBoxes, type BoxWeights } from '../ops/box-coder';
import { argsortDescending, batchedNms } from '../ops/nms';

export interface ProposalOptions {
  preNmsTopN: number;
  postNmsTopN: number;
  nmsThresh: number;
  scoreThresh: number;
  minBoxSize: number;
  boxCoderWeights: BoxWeights;
}

export interface Proposals {
  /** [K, 4] (x1, y1, x2, y2) in resized-image coordinates, by score descending. */
  boxes: Float32Array;
  /** [K] objectness probabilities. */
  scores: Float32Array;
}

const sigmoid = (x: number): number => Math.fround(1 / (1 + Math.exp(-x)));

/**
 * Proposals of one image. `logits` [A] and `deltas` [A, 4] are that image's RPN head outputs over all
 * levels, `anchors` [A, 4] in the same order, `anchorsPerLevel` the level lengths, `imageSize` the
 * unpadded resized (height, width).
 */
export function selectProposals(
  logits: Float32Array,
  deltas: Float32Array,
  anchors: Float32Array,
  anchorsPerLevel: readonly number[],
  imageSize: readonly [number, number],
  o: ProposalOptions,
): Proposals {
  // Per-level top-n (torch.topk: descending); ties keep index order here, torch leaves them unspecified.
  const picked: number[] = [];
  const level: number[] = [];
  let offset = 0;
  anchorsPerLevel.forEach((n, l) => {
    const order = argsortDescending(logits.subarray(offset, offset + n));
    const top = Math.min(o.preNmsTopN, n);
    for (let i = 0; i < top; i++) {
      picked.push(offset + order[i]!);
      level.push(l);
    }
    offset += n;
  });
  const k = picked.length;
  const selDeltas = new Float32Array(k * 4);
  const selAnchors = new Float32Array(k * 4);
  const scores = new Float32Array(k);
  picked.forEach((a, i) => {
    selDeltas.set(deltas.subarray(a * 4, a * 4 + 4), i * 4);
    selAnchors.set(anchors.subarray(a * 4, a * 4 + 4), i * 4);
    scores[i] = sigmoid(logits[a]!);
  });
  const boxes = clipBoxesToImage(decodeBoxes(selDeltas, selAnchors, o.boxCoderWeights), imageSize);

  const kept: number[] = [];
  for (const i of removeSmallBoxes(boxes, o.minBoxSize)) if (scores[i]! >= o.scoreThresh) kept.push(i);
  const kb = new Float32Array(kept.length * 4);
  const ks = new Float32Array(kept.length);
  const kl = new Int32Array(kept.length);
  kept.forEach((i, j) => {
    kb.set(boxes.subarray(i * 4, i * 4 + 4), j * 4);
    ks[j] = scores[i]!;
    kl[j] = level[i]!;
  });
  const keep = batchedNms(kb, ks, kl, o.nmsThresh).subarray(0, o.postNmsTopN);
  const out: Proposals = { boxes: new Float32Array(keep.length * 4), scores: new Float32Array(keep.length) };
  keep.forEach((i, j) => {
    out.boxes.set(kb.subarray(i * 4, i * 4 + 4), j * 4);
    out.scores[j] = ks[i]!;
  });
  return out;
}
