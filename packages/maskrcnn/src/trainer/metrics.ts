import * as tf from '@tensorflow/tfjs-core';
import { cocoEvaluate, encodeMask, rleIou, type CocoFile, type Rle } from '@segmenta/coco';
import type { MaskRCNN } from '../model/maskrcnn';
import type { TrainingSample } from './data';

export interface DetectionMetrics {
  /** COCO AP@[.50:.95]. */
  mapBbox: number;
  mapSegm: number;
  /** COCO AP@0.50. */
  ap50Bbox: number;
  ap50Segm: number;
  /** Ground-truth instances matched at mask IoU ≥ 0.5 by a detection of the right class. */
  accuracy: number;
}

/** COCO bbox/segm AP (AP@[.50:.95], as COCO reports it) and instance accuracy of `model` on `samples`. */
export async function detectionMetrics(model: MaskRCNN, samples: readonly TrainingSample[], classNames: readonly string[], scoreThreshold = 0.05): Promise<DetectionMetrics> {
  const gt: CocoFile = { images: [], annotations: [], categories: classNames.map((name, i) => ({ id: i + 1, name })) };
  const results: { image_id: number; category_id: number; score: number; bbox: [number, number, number, number]; segmentation: Rle }[] = [];
  let matched = 0;
  let total = 0;
  for (const [i, s] of samples.entries()) {
    const imageId = i + 1;
    gt.images.push({ id: imageId, file_name: s.fileName, width: s.width, height: s.height });
    const hw = s.width * s.height;
    const gtRles: Rle[] = [];
    for (let k = 0; k < s.target.labels.length; k++) {
      const rle = encodeMask(s.target.masks.subarray(k * hw, (k + 1) * hw), s.height, s.width);
      gtRles.push(rle);
      const b = s.target.boxes.subarray(4 * k, 4 * k + 4);
      gt.annotations.push({ id: gt.annotations.length + 1, image_id: imageId, category_id: s.target.labels[k]!, segmentation: rle, bbox: [b[0]!, b[1]!, b[2]! - b[0]!, b[3]! - b[1]!], area: s.target.masks.subarray(k * hw, (k + 1) * hw).reduce((a, v) => a + v, 0), iscrowd: 0 });
    }
    const image = tf.tensor3d(s.pixels, [s.height, s.width, 3]);
    const { results: [det] } = await model.detect([image]);
    image.dispose();
    const dets: { label: number; score: number; rle: Rle }[] = [];
    for (let d = 0; d < (det?.scores.length ?? 0); d++) {
      if (det!.scores[d]! < scoreThreshold) continue;
      const probs = det!.masks.subarray(d * hw, (d + 1) * hw);
      const bin = new Uint8Array(hw);
      for (let p = 0; p < hw; p++) bin[p] = probs[p]! >= 0.5 ? 1 : 0;
      const rle = encodeMask(bin, s.height, s.width);
      const b = det!.boxes.subarray(4 * d, 4 * d + 4);
      results.push({ image_id: imageId, category_id: det!.labels[d]!, score: det!.scores[d]!, bbox: [b[0]!, b[1]!, b[2]! - b[0]!, b[3]! - b[1]!], segmentation: rle });
      dets.push({ label: det!.labels[d]!, score: det!.scores[d]!, rle });
    }
    // Greedy one-to-one matching by score, as COCO matches at a single IoU threshold.
    const taken = new Set<number>();
    for (const dt of dets.sort((a, b) => b.score - a.score)) {
      let best = -1;
      let bestIou = 0.5;
      gtRles.forEach((g, k) => {
        if (taken.has(k) || s.target.labels[k] !== dt.label) return;
        const iou = rleIou(dt.rle, g);
        if (iou >= bestIou) [best, bestIou] = [k, iou];
      });
      if (best >= 0) taken.add(best);
    }
    matched += taken.size;
    total += gtRles.length;
  }
  // COCO reports -1 where a number is undefined (no ground truth); 0 reads better on a curve.
  const evaluate = (iouType: 'bbox' | 'segm') => {
    if (gt.annotations.length === 0) return [0, 0];
    const stats = cocoEvaluate(gt, results as never, { iouType }).stats;
    return [Math.max(0, stats[0]!), Math.max(0, stats[1]!)];
  };
  const [mapBbox, ap50Bbox] = evaluate('bbox');
  const [mapSegm, ap50Segm] = evaluate('segm');
  return { mapBbox: mapBbox!, mapSegm: mapSegm!, ap50Bbox: ap50Bbox!, ap50Segm: ap50Segm!, accuracy: total ? matched / total : 0 };
}
