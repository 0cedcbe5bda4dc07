// IoU between detections and ground truths of one image and category, as pycocotools' iou().

import { polygonsBbox, type Bbox } from '../geometry';
import { countsIntersection, type CountsArray } from '../rle';
import type { Segmentation } from '../schema';

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

/** A mask prepared once for many IoUs: its run lengths, area and tight box. */
export interface PreparedMask {
  counts: CountsArray;
  area: number;
  box: Bbox;
}

export function maskIou(dt: PreparedMask, gt: PreparedMask, gtIsCrowd: boolean): number {
  // Disjoint boxes mean disjoint masks; skipping them is what makes segm evaluation affordable.
  if (bboxIou(dt.box, gt.box, false) <= 0) return 0;
  const intersection = countsIntersection(dt.counts, gt.counts);
  if (intersection === 0) return 0;
  // The union is |dt| + |gt| − |dt ∩ gt|: the same integer pycocotools counts pixel run by run.
  return intersection / (gtIsCrowd ? dt.area : dt.area + gt.area - intersection);
}

/** ious[d][g] for detections (already sorted by score) against ground truths. */
export function iouMatrix<D, G>(dts: readonly D[], gts: readonly G[], crowd: readonly boolean[], iou: (d: D, g: G, crowd: boolean) => number): number[][] {
  return dts.map((d) => gts.map((g, j) => iou(d, g, crowd[j]!)));
}

/** [x0, y0, x1, y1] that a mask certainly lies within. */
type Reach = [number, number, number, number];

/**
 * Where a polygon segmentation's mask can lie: the vertex box grown by 2 px (the ×5 rounding of
 * frPoly moves an edge by less than one pixel). Null when unknown: RLE, or the 4-number box form.
 */
export function polygonReach(seg: Segmentation | undefined): Reach | null {
  if (!Array.isArray(seg) || seg.length === 0 || seg[0]!.length === 4) return null;
  const [x, y, w, h] = polygonsBbox(seg);
  return [x - 2, y - 2, x + w + 2, y + h + 2];
}

const apart = (a: Reach | null, b: Reach | null) => a !== null && b !== null && (a[2] <= b[0] || b[2] <= a[0] || a[3] <= b[1] || b[3] <= a[1]);

/**
 * Mask IoUs ious[d][g], computing a mask only when some pair needs it: detections first (an RLE
 * shows its extent only once decoded), then only the ground truths whose polygon can reach a
 * detection's mask. Pairs that cannot overlap get 0 without a mask, as pycocotools finds them.
 * `prepare(side, index)` builds the mask of dts[index] or gts[index].
 */
export function maskIouMatrix(
  dts: readonly { segmentation?: Segmentation }[],
  gts: readonly { segmentation?: Segmentation; iscrowd: boolean }[],
  prepare: (side: 'detection' | 'ground truth', index: number) => PreparedMask,
): number[][] {
  if (dts.length === 0 || gts.length === 0) return dts.map(() => []);
  const gReach = gts.map((g) => polygonReach(g.segmentation));
  const dMask: (PreparedMask | undefined)[] = [];
  // Where each detection's mask lies: exact once decoded.
  const dReach = dts.map((d, i) => {
    const reach = polygonReach(d.segmentation);
    if (!gReach.some((r) => !apart(reach, r))) return reach;
    const mask = (dMask[i] = prepare('detection', i));
    const [x, y, w, h] = mask.box;
    return [x, y, x + w, y + h] as Reach;
  });
  const gMask: (PreparedMask | undefined)[] = [];
  return dts.map((_, i) =>
    gts.map((g, j) => {
      if (apart(dReach[i]!, gReach[j]!)) return 0;
      const dm = (dMask[i] ??= prepare('detection', i));
      const gm = (gMask[j] ??= prepare('ground truth', j));
      return maskIou(dm, gm, g.iscrowd);
    }),
  );
}
