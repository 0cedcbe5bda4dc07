// Precision/recall accumulation and the 12 summary numbers (COCOeval.accumulate / summarize).

import type { ImageEval } from './match';
import { scoreOrder } from './match';
import type { AreaLabel, EvalParams } from './params';

/** numpy's np.spacing(1): keeps tp / (tp + fp) finite when both are 0, and (as in COCOeval) makes a perfect precision 1 - 2.2e-16. */
const EPS = 2.220446049250313e-16;

/**
 * precision[t][r][k][a][m] and recall[t][k][a][m], -1 where undefined (a category with no
 * non-ignored ground truth in that area range, or with no image evaluated at all).
 */
export interface Accumulated {
  precision: number[][][][][];
  recall: number[][][][];
}

/** Smallest i with sorted[i] >= x (numpy.searchsorted side='left'). */
function searchLeft(sorted: readonly number[], x: number): number {
  let lo = 0, hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * @param evalImgs evalImgs[k][a][i]: the evaluation at maxDet = max(maxDets) of category k, area
 *   range a, image i (images in ascending id order, which fixes how score ties across images break).
 */
export function accumulate(evalImgs: (ImageEval | null)[][][], p: EvalParams): Accumulated {
  const T = p.iouThrs.length, R = p.recThrs.length, K = evalImgs.length, A = p.areaRng.length, M = p.maxDets.length;
  const precision = Array.from({ length: T }, () => Array.from({ length: R }, () => Array.from({ length: K }, () => Array.from({ length: A }, () => new Array<number>(M).fill(-1)))));
  const recall = Array.from({ length: T }, () => Array.from({ length: K }, () => Array.from({ length: A }, () => new Array<number>(M).fill(-1))));

  for (let k = 0; k < K; k++) {
    for (let a = 0; a < A; a++) {
      const E = evalImgs[k]![a]!.filter((e): e is ImageEval => e !== null);
      if (E.length === 0) continue;
      const npig = E.reduce((n, e) => n + e.gtIgnore.filter((g) => !g).length, 0);
      if (npig === 0) continue;
      for (let m = 0; m < M; m++) {
        const maxDet = p.maxDets[m]!;
        // Each image contributes its own top maxDet detections; they are then merged by score.
        const scores: number[] = [];
        const where: [ImageEval, number][] = [];
        for (const e of E) {
          const n = Math.min(maxDet, e.dtScores.length);
          for (let d = 0; d < n; d++) {
            scores.push(e.dtScores[d]!);
            where.push([e, d]);
          }
        }
        const order = scoreOrder(scores);
        for (let t = 0; t < T; t++) {
          let tp = 0, fp = 0;
          const rc: number[] = [];
          const pr: number[] = [];
          for (const i of order) {
            const [e, d] = where[i]!;
            if (e.dtIgnore[t]![d]) {
              // Ignored detections still occupy a rank: precision/recall repeat at that position.
            } else if (e.dtMatched[t]![d]) tp++;
            else fp++;
            rc.push(tp / npig);
            pr.push(tp / (fp + tp + EPS));
          }
          recall[t]![k]![a]![m] = rc.length ? rc[rc.length - 1]! : 0;
          // Interpolate: precision at recall r is the best precision at any recall ≥ r.
          for (let i = pr.length - 1; i > 0; i--) if (pr[i]! > pr[i - 1]!) pr[i - 1] = pr[i]!;
          // Sample at the 101 recall thresholds; thresholds beyond the reached recall stay 0.
          for (let r = 0; r < R; r++) {
            const idx = searchLeft(rc, p.recThrs[r]!);
            precision[t]![r]![k]![a]![m] = idx < pr.length ? pr[idx]! : 0;
          }
        }
      }
    }
  }
  return { precision, recall };
}

export const SUMMARY_KEYS = ['AP', 'AP50', 'AP75', 'APs', 'APm', 'APl', 'AR1', 'AR10', 'AR100', 'ARs', 'ARm', 'ARl'] as const;
export type SummaryKey = (typeof SUMMARY_KEYS)[number];

/** Mean over the defined (> -1) entries; -1 when none is defined. */
function meanDefined(values: number[]): number {
  const v = values.filter((x) => x > -1);
  return v.length ? v.reduce((s, x) => s + x, 0) / v.length : -1;
}

function summarizeOne(acc: Accumulated, p: EvalParams, ap: boolean, area: AreaLabel, maxDets: number, iouThr?: number): number {
  const a = p.areaRngLbl.indexOf(area);
  const m = p.maxDets.indexOf(maxDets);
  // Compared exactly, as COCOeval does (np.where(iouThr == p.iouThrs)); .5 and .75 are exact in linspace.
  const ts = p.iouThrs.map((_, t) => t).filter((t) => iouThr === undefined || p.iouThrs[t] === iouThr);
  const values: number[] = [];
  for (const t of ts) {
    if (ap) for (const row of acc.precision[t]!) for (const cat of row) values.push(cat[a]![m]!);
    else for (const cat of acc.recall[t]!) values.push(cat[a]![m]!);
  }
  return meanDefined(values);
}

/** The 12 standard numbers, in COCOeval.stats order. */
export function summarize(acc: Accumulated, p: EvalParams): number[] {
  const [m1, m10, m100] = [p.maxDets[0]!, p.maxDets[1]!, p.maxDets[2]!];
  return [
    summarizeOne(acc, p, true, 'all', m100),
    summarizeOne(acc, p, true, 'all', m100, 0.5),
    summarizeOne(acc, p, true, 'all', m100, 0.75),
    summarizeOne(acc, p, true, 'small', m100),
    summarizeOne(acc, p, true, 'medium', m100),
    summarizeOne(acc, p, true, 'large', m100),
    summarizeOne(acc, p, false, 'all', m1),
    summarizeOne(acc, p, false, 'all', m10),
    summarizeOne(acc, p, false, 'all', m100),
    summarizeOne(acc, p, false, 'small', m100),
    summarizeOne(acc, p, false, 'medium', m100),
    summarizeOne(acc, p, false, 'large', m100),
  ];
}

/** AP (IoU .50:.95, all areas, maxDets 100) of one category index, -1 when undefined. */
export function categoryAp(acc: Accumulated, p: EvalParams, k: number): number {
  const a = p.areaRngLbl.indexOf('all');
  const m = p.maxDets.indexOf(p.maxDets[p.maxDets.length - 1]!);
  const values: number[] = [];
  for (const byR of acc.precision) for (const byK of byR) values.push(byK[k]![a]![m]!);
  return meanDefined(values);
}
