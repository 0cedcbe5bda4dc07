// Precision/recall accumulation and the 12 summary numbers (COCOeval.accumulate / summarize).

import type { ImageEval } from './match';
import { FP, scoreOrder, TP } from './match';
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

/**
 * Smallest j in [from, n) with (j + 1) / npig >= x, else n: numpy.searchsorted(side='left') over
 * the recalls of the true positives, computed as COCOeval computes them (tp / npig).
 */
function firstReaching(n: number, npig: number, x: number, from: number): number {
  let lo = from, hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((mid + 1) / npig < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Per outcome (FP, TP, IGNORED): whether it adds a false / true positive. */
const IS_FP = new Uint8Array(3);
const IS_TP = new Uint8Array(3);
IS_FP[FP] = 1;
IS_TP[TP] = 1;

/** Nested array of the given dimensions filled with -1. */
function filled(dims: readonly number[]): unknown[] {
  const [n, ...rest] = dims;
  return Array.from({ length: n! }, () => (rest.length ? filled(rest) : -1));
}

/**
 * @param evalImgs evalImgs[k][i]: the evaluation at maxDet = max(maxDets) of category k, image i,
 *   every area range (images in ascending id order, which fixes how score ties across images break).
 */
export function accumulate(evalImgs: (ImageEval | null)[][], p: EvalParams): Accumulated {
  const T = p.iouThrs.length, R = p.recThrs.length, K = evalImgs.length, A = p.areaRng.length, M = p.maxDets.length;
  const precision = filled([T, R, K, A, M]) as number[][][][][];
  const recall = filled([T, K, A, M]) as number[][][][];
  const q = new Float64Array(R);
  // Kept small and separate, these functions are each optimised after a few calls instead of
  // relying on on-stack replacement of one big loop nest.
  for (let k = 0; k < K; k++) {
    const E = evalImgs[k]!.filter((e): e is ImageEval => e !== null);
    if (E.length === 0) continue;
    const merged = mergeByScore(E);
    const outcome = new Uint8Array(T * merged.order.length);
    const byImage = new Uint8Array(T * merged.order.length);
    for (let a = 0; a < A; a++) {
      const npig = gatherOutcomes(E, a, T, merged.order, byImage, outcome);
      if (npig === 0) continue;
      for (let m = 0; m < M; m++) {
        const maxDet = p.maxDets[m]!;
        for (let t = 0; t < T; t++) {
          recall[t]![k]![a]![m] = sweep(outcome, t, merged.detAtRank, maxDet, npig, p.recThrs, q);
          for (let r = 0; r < R; r++) precision[t]![r]![k]![a]![m] = q[r]!;
        }
      }
    }
  }
  return { precision, recall };
}

/**
 * Every detection of a category's images (each image's top maxDet), merged by score: a stable
 * sort, so ties keep image order, then in-image order. detAtRank: the in-image index at each rank.
 */
function mergeByScore(E: readonly ImageEval[]): { order: number[]; detAtRank: Int32Array } {
  const scores: number[] = [];
  const detOf: number[] = [];
  for (const e of E) {
    const s = e.dtScores;
    for (let d = 0; d < s.length; d++) {
      scores.push(s[d]!);
      detOf.push(d);
    }
  }
  const order = scoreOrder(scores);
  return { order, detAtRank: Int32Array.from(order, (j) => detOf[j]!) };
}

/**
 * Each merged detection's outcome for area range a and every threshold, laid out
 * [t * n + rank] so sweeps are plain scans (read image by image into byImage, then permuted into
 * rank order). Returns the number of ground truths that count towards recall.
 */
function gatherOutcomes(E: readonly ImageEval[], a: number, T: number, order: readonly number[], byImage: Uint8Array, outcome: Uint8Array): number {
  const n = order.length;
  let npig = 0;
  let offset = 0;
  for (const e of E) {
    npig += e.gtCounted[a]!;
    const D = e.dtScores.length;
    const o = e.outcome;
    const at = a * T * D;
    for (let t = 0; t < T; t++) for (let d = 0; d < D; d++) byImage[t * n + offset + d] = o[at + t * D + d]!;
    offset += D;
  }
  for (let t = 0; t < T; t++) {
    const base = t * n;
    for (let rank = 0; rank < n; rank++) outcome[base + rank] = byImage[base + order[rank]!]!;
  }
  return npig;
}

/** Reused by sweep: interpolated precision at each true positive (plus one spare slot). */
let tpPrecision = new Float64Array(1024);

/**
 * One precision/recall curve: threshold t, detections ranked by score, each image's first maxDet.
 * Writes the 101-point interpolated precision into q and returns the final recall.
 */
function sweep(outcome: Uint8Array, t: number, detAtRank: Int32Array, maxDet: number, npig: number, recThrs: readonly number[], q: Float64Array): number {
  const n = detAtRank.length;
  if (tpPrecision.length < n + 1) tpPrecision = new Float64Array(2 * (n + 1));
  const prec = tpPrecision;
  const base = t * n;
  // Restricting the merged order to each image's top maxDet gives the order a merge of just
  // those would (the sort is stable). Ignored detections still occupy a rank.
  let tp = 0, fp = 0;
  for (let rank = 0; rank < n; rank++) {
    if (detAtRank[rank]! >= maxDet) continue;
    const o = outcome[base + rank]!;
    // Branch-free (outcomes are unpredictable): precision is written for every rank into the slot
    // of the next true positive, and only a true positive moves past its slot. Only true positives
    // matter: recall steps up there, and precision at any other rank is never above the precision
    // at the last true positive before it.
    fp += IS_FP[o]!;
    prec[tp] = (tp + 1) / (fp + tp + 1 + EPS);
    tp += IS_TP[o]!;
  }
  // Interpolate: precision at recall r is the best precision at any recall ≥ r.
  for (let i = tp - 1; i > 0; i--) if (prec[i]! > prec[i - 1]!) prec[i - 1] = prec[i]!;
  // Sample at the recall thresholds (COCOeval's searchsorted lands on the first rank reaching the
  // threshold, a true positive, whose recall is (j + 1) / npig); beyond the reached recall, 0.
  let j = 0;
  for (let r = 0; r < recThrs.length; r++) {
    j = firstReaching(tp, npig, recThrs[r]!, j);
    q[r] = j < tp ? prec[j]! : 0;
  }
  return tp / npig; // npig > 0: the caller skips area ranges without counted ground truths
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
