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

export interface ImageEval {
  /** Detection scores in evaluation order (score descending, ties in input order), at most maxDet. */
  dtScores: number[];
  /** [threshold][detection]: matched to a ground truth. */
  dtMatched: boolean[][];
  /** [threshold][detection]: neither a true nor a false positive. */
  dtIgnore: boolean[][];
  /** Per ground truth (in the reordered, non-ignored-first order): excluded from the recall denominator. */
  gtIgnore: boolean[];
}

/** Stable order of indices by descending score, like numpy's argsort(-score, kind='mergesort'). */
export function scoreOrder(scores: readonly number[]): number[] {
  return scores.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);
}

/**
 * `dts` must already be in score order and `ious[d][g]` computed against `gts` in their input
 * order. Returns null when there is neither a ground truth nor a detection (COCOeval's None).
 */
export function evaluateImage(
  gts: readonly EvalGt[],
  dts: readonly EvalDt[],
  ious: readonly (readonly number[])[],
  areaRng: readonly [number, number],
  maxDet: number,
  iouThrs: readonly number[],
): ImageEval | null {
  if (gts.length === 0 && dts.length === 0) return null;
  const outside = (a: number) => a < areaRng[0] || a > areaRng[1];
  // Ground truths outside the area range (or crowds) are not dropped: a detection that matches one
  // is ignored rather than counted as a false positive.
  const gIgnoreInput = gts.map((g) => g.iscrowd || outside(g.area));
  // Non-ignored ground truths first, so the greedy loop below prefers them.
  const gOrder = gts.map((_, i) => i).sort((a, b) => Number(gIgnoreInput[a]) - Number(gIgnoreInput[b]) || a - b);
  const gtIgnore = gOrder.map((i) => gIgnoreInput[i]!);
  const crowd = gOrder.map((i) => gts[i]!.iscrowd);
  const D = Math.min(dts.length, maxDet);
  const T = iouThrs.length;
  const dtMatched = Array.from({ length: T }, () => new Array<boolean>(D).fill(false));
  const dtIgnore = Array.from({ length: T }, () => new Array<boolean>(D).fill(false));

  if (gts.length > 0) {
    for (let t = 0; t < T; t++) {
      const gtMatched = new Array<boolean>(gOrder.length).fill(false);
      for (let d = 0; d < D; d++) {
        // 1 - 1e-10 cap: a perfect overlap still passes a threshold of 1.
        let best = Math.min(iouThrs[t]!, 1 - 1e-10);
        let m = -1;
        for (let g = 0; g < gOrder.length; g++) {
          // A crowd region can absorb any number of detections.
          if (gtMatched[g] && !crowd[g]) continue;
          // Once matched to a real object, never trade it for an ignored one (they are sorted last).
          if (m > -1 && !gtIgnore[m] && gtIgnore[g]) break;
          const iou = ious[d]![gOrder[g]!]!;
          if (iou < best) continue;
          best = iou;
          m = g;
        }
        if (m === -1) continue;
        dtIgnore[t]![d] = gtIgnore[m]!;
        dtMatched[t]![d] = true;
        gtMatched[m] = true;
      }
    }
  }
  // An unmatched detection outside the area range is not this range's false positive.
  for (let d = 0; d < D; d++) {
    if (!outside(dts[d]!.area)) continue;
    for (let t = 0; t < T; t++) if (!dtMatched[t]![d]) dtIgnore[t]![d] = true;
  }
  return { dtScores: dts.slice(0, D).map((d) => d.score), dtMatched, dtIgnore, gtIgnore };
}
