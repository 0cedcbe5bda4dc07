// IoU between detections and ground truths of one image and category, as pycocotools' iou().

import type { Bbox } from '../geometry';
import { rleIntersectionUnion, type UncompressedRle } from '../rle';

/**
 * Box IoU. For a crowd ground truth the union is replaced by the detection's own area, so a
 * detection lying inside a crowd region scores 1 (pycocotools' bbIou).
 */
export function bboxIou(dt: Bbox, gt: Bbox, gtIsCrowd: boolean): number {
  const w = Math.min(dt[0] + dt[2], gt[0] + gt[2]) - Math.max(dt[0], gt[0]);
  if (w <= 0) return 0;
  const h = Math.min(dt[1] + dt[3], gt[1] + gt[3]) - Math.max(dt[1], gt[1]);
  if (h <= 0) return 0;
  const inter = w * h;
  const dtArea = dt[2] * dt[3];
  return inter / (gtIsCrowd ? dtArea : dtArea + gt[2] * gt[3] - inter);
}

/** A mask prepared once for many IoUs: uncompressed counts, its area and its tight box. */
export interface PreparedMask {
  rle: UncompressedRle;
  area: number;
  box: Bbox;
}

export function maskIou(dt: PreparedMask, gt: PreparedMask, gtIsCrowd: boolean): number {
  // Disjoint boxes mean disjoint masks; skipping them is what makes segm evaluation affordable.
  if (bboxIou(dt.box, gt.box, false) <= 0) return 0;
  const { intersection, union } = rleIntersectionUnion(dt.rle, gt.rle);
  if (intersection === 0) return 0;
  return intersection / (gtIsCrowd ? dt.area : union);
}

/** ious[d][g] for detections (already sorted by score) against ground truths. */
export function iouMatrix<D, G>(dts: readonly D[], gts: readonly G[], crowd: readonly boolean[], iou: (d: D, g: G, crowd: boolean) => number): number[][] {
  return dts.map((d) => gts.map((g, j) => iou(d, g, crowd[j]!)));
}
