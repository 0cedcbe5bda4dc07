// One image through the model → COCO "results" records (bbox xywh in original pixels, RLE masks).
import * as tf from '@tensorflow/tfjs-core';
import type { MaskRCNNConfig } from '../config/types';
import type { MaskRCNN } from '../model/maskrcnn';
import { resizeImage, type Size } from '../ops/transform';
import type { RgbImage } from './image';
import { encodeMask, type Rle } from './rle';

/** A model together with the names of its classes (label i ↦ classes[i − 1]). */
export interface Predictor {
  model: MaskRCNN;
  classes: readonly string[];
}

export interface PredictOptions {
  /** Keep detections scoring at least this (default 0.05). The model's own roiHeads.scoreThresh still applies first (see loadCheckpoint's maxScoreThresh). */
  scoreThreshold?: number;
  imageId?: number | string;
  /** See workingSize (default DEFAULT_MASK_BUDGET_BYTES). */
  maskBudgetBytes?: number;
}

/** One line of a COCO results file, plus the class name for readers without the category list. */
export interface CocoResult {
  image_id: number | string;
  category_id: number;
  category_name: string;
  bbox: [number, number, number, number];
  score: number;
  segmentation: Rle;
}

export interface Detection {
  /** [x1, y1, x2, y2] in original pixels. */
  box: [number, number, number, number];
  score: number;
  label: number;
  /** The binary mask in original pixels as COCO compressed RLE (full-size masks would not fit memory for big images). */
  segmentation: Rle;
  /** Mask pixels. */
  area: number;
}

export interface Prediction {
  height: number;
  width: number;
  detections: Detection[];
}

export const DEFAULT_SCORE_THRESHOLD = 0.05;
/** Bytes the model may spend on pasted mask probabilities ([K, H, W] float32) before we shrink the input. */
export const DEFAULT_MASK_BUDGET_BYTES = 1 << 30;

const round2 = (v: number): number => Math.round(v * 100) / 100;

/**
 * Size the model is run at. The model pastes every mask at the input size, so a 40-megapixel photo would
 * need 16 GB; above the budget we shrink the input, but never below the size the model itself resizes
 * to (so no resolution the model would use is lost) and never up.
 */
export function workingSize(height: number, width: number, cfg: MaskRCNNConfig, budgetBytes: number): Size {
  const need = cfg.roiHeads.detectionsPerImage * height * width * 4;
  if (need <= budgetBytes) return [height, width];
  const { minSize, maxSize } = cfg.transform;
  const modelScale = Math.min(minSize / Math.min(height, width), maxSize / Math.max(height, width));
  const s = Math.min(1, Math.max(Math.sqrt(budgetBytes / need), modelScale));
  return [Math.max(1, Math.round(height * s)), Math.max(1, Math.round(width * s))];
}

/** Nearest-neighbour source index for each of `n` output cells over `m` input cells. */
function nearest(n: number, m: number): Int32Array {
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = Math.min(m - 1, Math.floor(((i + 0.5) * m) / n));
  return idx;
}

/** Detections of one image above the score threshold, masks binarised at the model's maskThreshold. */
export async function predictDetections(p: Predictor, image: RgbImage, opts: PredictOptions = {}): Promise<Prediction> {
  const threshold = opts.scoreThreshold ?? DEFAULT_SCORE_THRESHOLD;
  if (!Number.isFinite(threshold) || threshold < 0 || threshold > 1) throw new RangeError(`score threshold must be within [0, 1], got ${threshold}`);
  const { height, width } = image;
  if (image.data.length !== height * width * 3) throw new RangeError(`image data holds ${image.data.length} values, ${height}×${width}×3 expected`);
  const [h, w] = workingSize(height, width, p.model.cfg, opts.maskBudgetBytes ?? DEFAULT_MASK_BUDGET_BYTES);
  const input = tf.tidy(() => {
    const full = tf.tensor3d(image.data, [height, width, 3], 'float32');
    return h === height && w === width ? full : resizeImage(full, [h, w]);
  });
  let out;
  try {
    out = await p.model.detect([input]);
  } finally {
    input.dispose();
  }
  const r = out.results[0]!;
  const [sy, sx] = [height / h, width / w];
  const rows = nearest(height, h);
  const cols = nearest(width, w);
  const maskThreshold = p.model.cfg.maskHead.maskThreshold;
  const mask = new Uint8Array(height * width);
  const detections: Detection[] = [];
  for (let i = 0; i < r.scores.length; i++) {
    const score = r.scores[i]!;
    if (score < threshold) continue;
    const probs = r.masks.subarray(i * h * w, (i + 1) * h * w);
    let area = 0;
    for (let y = 0; y < height; y++) {
      const src = rows[y]! * w;
      for (let x = 0; x < width; x++) {
        const v = probs[src + cols[x]!]! > maskThreshold ? 1 : 0;
        mask[y * width + x] = v;
        area += v;
      }
    }
    const b = r.boxes.subarray(i * 4, i * 4 + 4);
    detections.push({ box: [b[0]! * sx, b[1]! * sy, b[2]! * sx, b[3]! * sy], score, label: r.labels[i]!, segmentation: encodeMask(mask, height, width), area });
  }
  return { height, width, detections };
}

export function className(classes: readonly string[], label: number): string {
  return classes[label - 1] ?? `class_${label}`;
}

/** COCO results records for a prediction (category_id is the model's label index; 0 is background). */
export function toCocoResults(pred: Prediction, classes: readonly string[], imageId: number | string = 0): CocoResult[] {
  return pred.detections.map((d) => ({
    image_id: imageId,
    category_id: d.label,
    category_name: className(classes, d.label),
    bbox: [round2(d.box[0]), round2(d.box[1]), round2(d.box[2] - d.box[0]), round2(d.box[3] - d.box[1])],
    score: d.score,
    segmentation: d.segmentation,
  }));
}

/** One image → COCO results, every detection scoring at least opts.scoreThreshold (default 0.05). */
export async function predictImage(p: Predictor, image: RgbImage, opts: PredictOptions = {}): Promise<CocoResult[]> {
  return toCocoResults(await predictDetections(p, image, opts), p.classes, opts.imageId ?? 0);
}
