// Greedy matching of one image × category × area range (COCOeval.evaluateImg).

export interface EvalGt {
  area: number;
  /** COCOeval sets `ignore` from iscrowd alone (a file's own `ignore` field is overwritten). */
  iscrowd: boolean;
}

export interface EvalDt {
  area: number;
  score: number;
}

/** What a detection counts as at one IoU threshold. */
export const FP = 0, TP = 1, IGNORED = 2;

/** One image × category, evaluated for every area range at once (one allocation, not four). */
export interface ImageEval {
  /** Detection scores in evaluation order (score descending, ties in input order), at most maxDet. */
  dtScores: Float64Array;
  /** [(a * T + t) * dtScores.length + d]: FP, TP or IGNORED (matched to an ignored ground truth, or unmatched and outside area range a) at threshold t. */
  outcome: Uint8Array;
  /** Per area range: ground truths that count towards recall (not crowd, inside the range). */
  gtCounted: number[];
}

/** Reused by evaluateImage: which ground truths are taken, at the threshold being matched. */
let gtMatchedBuffer = new Uint8Array(64);

/** Stable order of indices by descending score, like numpy's argsort(-score, kind='mergesort'). */
export function scoreOrder(scores: ArrayLike<number>): number[] {
  return Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);
}

/** Crowds and ground truths outside the area range [lo, hi] do not count towards recall. */
function ignoredGt(g: EvalGt, lo: number, hi: number): boolean {
  return g.iscrowd || g.area < lo || g.area > hi;
}

/**
 * `dts` must already be in score order and `ious[d][g]` computed against `gts` in their input
 * order. The caller skips images with neither a ground truth nor a detection (COCOeval's None).
 */
export function evaluateImage(
  gts: readonly EvalGt[],
  dts: readonly EvalDt[],
  ious: readonly (readonly number[])[],
  areaRngs: readonly (readonly [number, number])[],
  maxDet: number,
  iouThrs: readonly number[],
): ImageEval {
  const D = Math.min(dts.length, maxDet);
  const T = iouThrs.length;
  const dtScores = Float64Array.from({ length: D }, (_, i) => dts[i]!.score);
  const outcome = new Uint8Array(areaRngs.length * T * D); // FP until matched
  const gtCounted = areaRngs.map(([lo, hi], a) => matchArea(gts, dts, ious, lo, hi, D, iouThrs, outcome, a * T * D));
  return { dtScores, outcome, gtCounted };
}

/** COCOeval.evaluateImg for one area range [lo, hi]; writes outcome[at + t * D + d], returns the counted ground truths. */
function matchArea(
  gts: readonly EvalGt[],
  dts: readonly EvalDt[],
  ious: readonly (readonly number[])[],
  lo: number,
  hi: number,
  D: number,
  iouThrs: readonly number[],
  outcome: Uint8Array,
  at: number,
): number {
  const G = gts.length;
  const T = iouThrs.length;
  // Ground truths outside the area range (or crowds) are not dropped: a detection that matches one
  // is ignored rather than counted as a false positive. Non-ignored ones come first (each part in
  // input order, as COCOeval's stable argsort), so the greedy loop below prefers them.
  const gOrder: number[] = [];
  for (let i = 0; i < G; i++) if (!ignoredGt(gts[i]!, lo, hi)) gOrder.push(i);
  const gtCounted = gOrder.length;
  for (let i = 0; i < G; i++) if (ignoredGt(gts[i]!, lo, hi)) gOrder.push(i);
  const crowd = gOrder.map((i) => gts[i]!.iscrowd);

  if (G > 0 && D > 0) {
    if (gtMatchedBuffer.length < G) gtMatchedBuffer = new Uint8Array(2 * G);
    const gtMatched = gtMatchedBuffer;
    for (let t = 0; t < T; t++) {
      gtMatched.fill(0, 0, G);
      // 1 - 1e-10 cap: a perfect overlap still passes a threshold of 1.
      const thr = Math.min(iouThrs[t]!, 1 - 1e-10);
      for (let d = 0; d < D; d++) {
        const row = ious[d]!;
        let best = thr;
        let m = -1;
        for (let g = 0; g < G; g++) {
          // A crowd region can absorb any number of detections.
          if (gtMatched[g] && !crowd[g]) continue;
          // Once matched to a real object, never trade it for an ignored one (they are sorted last).
          if (m > -1 && m < gtCounted && g >= gtCounted) break;
          const iou = row[gOrder[g]!]!;
          if (iou < best) continue;
          best = iou;
          m = g;
        }
        if (m === -1) continue;
        outcome[at + t * D + d] = m >= gtCounted ? IGNORED : TP;
        gtMatched[m] = 1;
      }
    }
  }
  // An unmatched detection outside the area range is not this range's false positive.
  for (let d = 0; d < D; d++) {
    if (dts[d]!.area >= lo && dts[d]!.area <= hi) continue;
    for (let t = 0; t < T; t++) if (outcome[at + t * D + d] === FP) outcome[at + t * D + d] = IGNORED;
  }
  return gtCounted;
}
