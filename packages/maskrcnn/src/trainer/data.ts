import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { decodeRle, parseCocoFile, segmentationToRle, type CocoFile } from '@segmenta/coco';
import type { TrainingTarget } from '../train/forward';

// Training data in memory: decoded RGB pixels in [0, 1] plus torchvision-style targets (boxes in
// original pixels, labels 1..K, one binary mask per instance).

export interface TrainingSample {
  id: number | string;
  fileName: string;
  height: number;
  width: number;
  /** HWC, RGB, [0, 1]. */
  pixels: Float32Array;
  target: TrainingTarget;
}

export interface LoadedDataset {
  samples: TrainingSample[];
  /** Category names in label order: label i + 1 is classNames[i]. */
  classNames: string[];
  warnings: string[];
}

/** Decodes any image sharp reads (EXIF-rotated; grayscale, alpha and 16-bit become 8-bit RGB). */
export async function decodeRgb(bytes: Uint8Array): Promise<{ pixels: Float32Array; width: number; height: number }> {
  const { data, info } = await sharp(bytes).rotate().removeAlpha().toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`expected 3 channels after conversion, got ${info.channels}`);
  const pixels = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) pixels[i] = data[i]! / 255;
  return { pixels, width: info.width, height: info.height };
}

/**
 * A JPEG round trip with sharp (libjpeg, 4:2:0 chroma like OpenCV's imencode), for the augmentation
 * pipeline's `jpegCompression`; runs on libuv's thread pool, so a prefetched batch's codec work overlaps
 * the training step.
 */
export async function sharpJpeg(pixels: Uint8Array, width: number, height: number, quality: number): Promise<Uint8Array> {
  const jpeg = await sharp(pixels, { raw: { width, height, channels: 3 } }).jpeg({ quality: Math.round(Math.min(100, Math.max(1, quality))) }).toBuffer();
  const { data, info } = await sharp(jpeg).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  if (info.width !== width || info.height !== height || info.channels !== 3) throw new Error(`JPEG round trip returned ${info.width}×${info.height}×${info.channels}`);
  return new Uint8Array(data.buffer, data.byteOffset, data.length);
}

/**
 * Turns a COCO file's annotations into targets. Category ids map to labels 1..K in the order of
 * `classNames` when given (names must exist in the file), else in the file's category order.
 * Crowd regions and degenerate instances (no area, box under 1 px) are skipped with a warning; images
 * without instances stay in as negatives, as torchvision allows.
 */
export function cocoTargets(coco: CocoFile, classNames?: readonly string[]): { targets: Map<number, TrainingTarget & { height: number; width: number; fileName: string }>; classNames: string[]; warnings: string[] } {
  const warnings: string[] = [];
  const names = classNames ? [...classNames] : coco.categories.map((c) => c.name);
  const labelOf = new Map<number, number>();
  for (const c of coco.categories) {
    const i = names.indexOf(c.name);
    if (i >= 0) labelOf.set(Number(c.id), i + 1);
    else warnings.push(`category "${c.name}" (id ${c.id}) is not among the training classes; its annotations are ignored`);
  }
  const targets = new Map<number, TrainingTarget & { height: number; width: number; fileName: string }>();
  const perImage = new Map<number, { boxes: number[]; labels: number[]; masks: Uint8Array[] }>();
  for (const img of coco.images) perImage.set(Number(img.id), { boxes: [], labels: [], masks: [] });
  const imageById = new Map(coco.images.map((i) => [Number(i.id), i]));
  for (const [k, a] of coco.annotations.entries()) {
    const img = imageById.get(Number(a.image_id));
    const label = labelOf.get(Number(a.category_id));
    if (!img || label === undefined) continue;
    if (a.iscrowd) {
      warnings.push(`annotations[${k}] is a crowd region; skipped`);
      continue;
    }
    const [x, y, w, h] = a.bbox;
    if (!(w >= 1 && h >= 1) || !(a.area > 0) || !a.segmentation) {
      warnings.push(`annotations[${k}] is degenerate (bbox ${a.bbox.join(',')}, area ${a.area}); skipped`);
      continue;
    }
    const mask = decodeRle(segmentationToRle(a.segmentation as never, Number(img.height), Number(img.width)));
    const entry = perImage.get(Number(img.id))!;
    entry.boxes.push(x, y, x + w, y + h);
    entry.labels.push(label);
    entry.masks.push(mask);
  }
  for (const img of coco.images) {
    const e = perImage.get(Number(img.id))!;
    const hw = Number(img.height) * Number(img.width);
    const masks = new Uint8Array(e.masks.length * hw);
    e.masks.forEach((m, i) => masks.set(m, i * hw));
    targets.set(Number(img.id), { boxes: Float32Array.from(e.boxes), labels: Int32Array.from(e.labels), masks, height: Number(img.height), width: Number(img.width), fileName: String(img.file_name) });
  }
  return { targets, classNames: names, warnings };
}

/** Loads a COCO instances file and its images from `imagesDir` (looked up by base name). */
export async function loadCocoDataset(cocoPath: string, imagesDir: string, classNames?: readonly string[]): Promise<LoadedDataset> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(cocoPath, 'utf8'));
  } catch (err) {
    throw new Error(`${cocoPath}: not a readable JSON file (${(err as Error).message})`, { cause: err });
  }
  const { data, warnings: parseWarnings } = parseCocoFile(json);
  const { targets, classNames: names, warnings } = cocoTargets(data, classNames);
  const samples: TrainingSample[] = [];
  for (const [id, t] of targets) {
    const file = path.join(imagesDir, path.basename(t.fileName.replace(/\\/g, '/')));
    const bytes = await readFile(file).catch((err: Error) => {
      throw new Error(`image ${id} ("${t.fileName}") not found as ${file}: ${err.message}`, { cause: err });
    });
    const rgb = await decodeRgb(bytes);
    if (rgb.width !== t.width || rgb.height !== t.height) {
      throw new Error(`image ${id} ("${t.fileName}") is ${rgb.width}×${rgb.height} on disk but ${t.width}×${t.height} in the COCO file`);
    }
    samples.push({ id, fileName: t.fileName, height: t.height, width: t.width, pixels: rgb.pixels, target: { boxes: t.boxes, labels: t.labels, masks: t.masks } });
  }
  return { samples, classNames: names, warnings: [...parseWarnings.map((w) => `${w.path}: ${w.message}`), ...warnings] };
}
