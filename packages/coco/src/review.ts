// Error analysis of one model's predictions against ground truth at a chosen score threshold: what
// a reviewer needs to find the images worth looking at, not the COCO mAP (see ./eval for that).
//
// Two matchings, both greedy by descending score at mask IoU >= iouThreshold:
// - class-aware (a prediction may only match a ground truth of its own class) for TP/FP/FN,
//   per-image error and per-class precision/recall;
// - class-agnostic for the confusion matrix, so "a square predicted as a circle" shows up as such
//   instead of as one false positive plus one miss.
// Crowd ground truths are never missed; a prediction covering one (IoU measured against the
// prediction's own area, as COCOeval does) is ignored rather than counted as a false positive.

import { rleIou, type AnyRle } from './rle';
import { scoreOrder } from './eval/match';

export interface ReviewGroundTruth {
  classId: string;
  rle: AnyRle;
  iscrowd?: boolean;
}

export interface ReviewPrediction {
  classId: string;
  score: number;
  rle: AnyRle;
}

export interface ReviewImageInput {
  imageId: string;
  groundTruth: readonly ReviewGroundTruth[];
  predictions: readonly ReviewPrediction[];
}

export interface ReviewOptions {
  /** Class ids in display order; ground truth and predictions of other classes are left out. */
  classIds: readonly string[];
  scoreThreshold: number;
  iouThreshold?: number;
}

export interface ImageReview {
  imageId: string;
  tp: number;
  fp: number;
  fn: number;
  /** 1 − F1 = (fp + fn) / (2·tp + fp + fn): 0 when perfect (or nothing to find and nothing found), 1 when every call is wrong. */
  errorScore: number;
}

export interface ClassReview {
  classId: string;
  tp: number;
  fp: number;
  fn: number;
  /** null where undefined (no prediction / no ground truth of the class above the threshold). */
  precision: number | null;
  recall: number | null;
}

export interface ReviewResult {
  images: ImageReview[];
  perClass: ClassReview[];
  /**
   * matrix[row][col]: rows are the ground-truth class (classIds order) then "background" (a false
   * positive), columns the predicted class then "background" (a missed instance).
   */
  confusion: { classIds: string[]; matrix: number[][] };
}

interface Matching {
  /** Per prediction (in input order): index of the matched ground truth, -1 unmatched, -2 ignored (covers a crowd). */
  dtMatch: number[];
  gtMatched: boolean[];
}

function greedyMatch(gts: readonly ReviewGroundTruth[], dts: readonly ReviewPrediction[], iouThr: number, sameClassOnly: boolean): Matching {
  const dtMatch = new Array<number>(dts.length).fill(-1);
  const gtMatched = new Array<boolean>(gts.length).fill(false);
  for (const d of scoreOrder(dts.map((p) => p.score))) {
    const dt = dts[d]!;
    let best = -1;
    let bestIou = iouThr - 1e-10;
    let coversCrowd = false;
    for (let g = 0; g < gts.length; g++) {
      const gt = gts[g]!;
      if (sameClassOnly && gt.classId !== dt.classId) continue;
      const iou = rleIou(dt.rle, gt.rle, gt.iscrowd ?? false);
      if (gt.iscrowd) {
        if (iou >= iouThr - 1e-10) coversCrowd = true;
        continue;
      }
      if (gtMatched[g] || iou < bestIou) continue;
      if (iou > bestIou || best < 0) {
        best = g;
        bestIou = iou;
      }
    }
    if (best >= 0) {
      dtMatch[d] = best;
      gtMatched[best] = true;
    } else if (coversCrowd) dtMatch[d] = -2;
  }
  return { dtMatch, gtMatched };
}

const ratio = (a: number, b: number) => (b === 0 ? null : a / b);

/** Per-image errors, per-class precision/recall and the confusion matrix at one score threshold. */
export function reviewPredictions(images: readonly ReviewImageInput[], options: ReviewOptions): ReviewResult {
  const iouThr = options.iouThreshold ?? 0.5;
  const classIndex = new Map(options.classIds.map((c, i) => [c, i]));
  const K = options.classIds.length;
  const perClass = options.classIds.map(() => ({ tp: 0, fp: 0, fn: 0 }));
  const matrix = Array.from({ length: K + 1 }, () => new Array<number>(K + 1).fill(0));
  const out: ImageReview[] = [];

  for (const img of images) {
    const gts = img.groundTruth.filter((g) => classIndex.has(g.classId));
    const dts = img.predictions.filter((p) => classIndex.has(p.classId) && p.score >= options.scoreThreshold);
    let tp = 0, fp = 0, fn = 0;
    const aware = greedyMatch(gts, dts, iouThr, true);
    aware.dtMatch.forEach((m, d) => {
      const k = classIndex.get(dts[d]!.classId)!;
      if (m >= 0) {
        tp++;
        perClass[k]!.tp++;
      } else if (m === -1) {
        fp++;
        perClass[k]!.fp++;
      }
    });
    aware.gtMatched.forEach((matched, g) => {
      if (matched || gts[g]!.iscrowd) return;
      fn++;
      perClass[classIndex.get(gts[g]!.classId)!]!.fn++;
    });
    const denominator = 2 * tp + fp + fn;
    out.push({ imageId: img.imageId, tp, fp, fn, errorScore: denominator === 0 ? 0 : (fp + fn) / denominator });

    const agnostic = greedyMatch(gts, dts, iouThr, false);
    agnostic.dtMatch.forEach((m, d) => {
      if (m === -2) return;
      const col = classIndex.get(dts[d]!.classId)!;
      matrix[m >= 0 ? classIndex.get(gts[m]!.classId)! : K]![col]!++;
    });
    agnostic.gtMatched.forEach((matched, g) => {
      if (!matched && !gts[g]!.iscrowd) matrix[classIndex.get(gts[g]!.classId)!]![K]!++;
    });
  }

  return {
    images: out,
    perClass: options.classIds.map((classId, k) => {
      const c = perClass[k]!;
      return { classId, ...c, precision: ratio(c.tp, c.tp + c.fp), recall: ratio(c.tp, c.tp + c.fn) };
    }),
    confusion: { classIds: [...options.classIds], matrix },
  };
}
