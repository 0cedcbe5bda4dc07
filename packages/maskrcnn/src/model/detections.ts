// torchvision RoIHeads.postprocess_detections on typed arrays: per-class decode, softmax scores,
// clip, drop background, score threshold (strict >), drop tiny boxes, NMS per class, top-k.
import { clipBoxesToImage, removeSmallBoxes } from '../ops/boxes';
import { decodeBoxes, type BoxWeights } from '../ops/box-coder';
import { batchedNms } from '../ops/nms';

export interface DetectionOptions {
  scoreThresh: number;
  nmsThresh: number;
  detectionsPerImage: number;
  minBoxSize: number;
  boxCoderWeights: BoxWeights;
}

export interface Detections {
  /** [K, 4] (x1, y1, x2, y2), by score descending. */
  boxes: Float32Array;
  scores: Float32Array;
  /** Class index in 1..numClasses-1 (0 is background). */
  labels: Int32Array;
}

/**
 * One image's detections. `probs` [R, C] are softmax class probabilities, `deltas` [R, C·4] the
 * per-class regressions, `proposals` [R, 4]; `imageSize` is the unpadded resized (height, width).
 */
export function selectDetections(
  probs: Float32Array,
  deltas: Float32Array,
  proposals: Float32Array,
  numClasses: number,
  imageSize: readonly [number, number],
  o: DetectionOptions,
): Detections {
  const r = proposals.length / 4;
  const boxes = clipBoxesToImage(decodeBoxes(deltas, proposals, o.boxCoderWeights), imageSize);
  // Candidates in torchvision's order: proposal-major, class-minor, background skipped.
  const cand: number[] = [];
  for (let i = 0; i < r; i++) for (let c = 1; c < numClasses; c++) if (probs[i * numClasses + c]! > o.scoreThresh) cand.push(i * numClasses + c);
  const cb = new Float32Array(cand.length * 4);
  cand.forEach((ic, j) => cb.set(boxes.subarray(ic * 4, ic * 4 + 4), j * 4));
  const big = removeSmallBoxes(cb, o.minBoxSize);
  const fb = new Float32Array(big.length * 4);
  const fs = new Float32Array(big.length);
  const fl = new Int32Array(big.length);
  big.forEach((j, m) => {
    const ic = cand[j]!;
    fb.set(cb.subarray(j * 4, j * 4 + 4), m * 4);
    fs[m] = probs[ic]!;
    fl[m] = ic % numClasses;
  });
  const keep = batchedNms(fb, fs, fl, o.nmsThresh).subarray(0, o.detectionsPerImage);
  const out: Detections = { boxes: new Float32Array(keep.length * 4), scores: new Float32Array(keep.length), labels: new Int32Array(keep.length) };
  keep.forEach((m, j) => {
    out.boxes.set(fb.subarray(m * 4, m * 4 + 4), j * 4);
    out.scores[j] = fs[m]!;
    out.labels[j] = fl[m]!;
  });
  return out;
}
