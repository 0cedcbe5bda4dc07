// COCO detection / instance-segmentation evaluation with COCOeval's semantics (iouType 'bbox' or
// 'segm'). Deliberate difference: matches are tracked as booleans, whereas COCOeval stores matched
// ground-truth ids and tests `== 0`, so a ground truth with id 0 counts as unmatched there
// (parseCocoFile warns about such ids).

import type { Bbox } from '../geometry';
import { segmentationCounts } from '../rasterize';
import { countsArea, countsToBbox, rleArea, rleToBbox, type AnyRle, type CountsArray } from '../rle';
import type { CocoFile, Segmentation } from '../schema';
import { accumulate, categoryAp, summarize, SUMMARY_KEYS, type Accumulated, type SummaryKey } from './accumulate';
import { bboxIou, iouMatrix, maskIouMatrix, type PreparedMask } from './iou';
import { evaluateImage, scoreOrder, type ImageEval } from './match';
import { defaultParams, type EvalParams, type IouType } from './params';

export { defaultParams, linspace, type EvalParams, type IouType, type AreaLabel } from './params';
export { SUMMARY_KEYS, type SummaryKey, type Accumulated } from './accumulate';
export { bboxIou } from './iou';

/** One detection of a results file. */
export interface CocoResult {
  image_id: number;
  category_id: number;
  score: number;
  bbox?: Bbox | number[];
  segmentation?: Segmentation;
}

export interface CocoEvalOptions {
  iouType: IouType;
  /** Override parts of the defaults (e.g. maxDets); summaries assume three maxDets as COCO's. */
  params?: Partial<Omit<EvalParams, 'iouType'>>;
  /** Restrict to these images / categories (defaults: every image and category of the ground truth). */
  imgIds?: number[];
  catIds?: number[];
}

export interface CocoEvalResult {
  /** The 12 COCOeval.stats numbers, -1 where undefined. */
  stats: number[];
  summary: Record<SummaryKey, number>;
  perCategory: { categoryId: number; name: string; ap: number }[];
  accumulated: Accumulated;
  params: EvalParams;
  imgIds: number[];
  catIds: number[];
}

interface Item {
  area: number;
  iscrowd: boolean;
  score: number;
  box: Bbox;
  segmentation?: Segmentation;
}

function prepareMask(seg: Segmentation, h: number, w: number, what: string): PreparedMask {
  let counts: CountsArray;
  try {
    counts = segmentationCounts(seg, h, w);
  } catch (e) {
    throw new Error(`${what}: ${(e as Error).message}`, { cause: e });
  }
  return { counts, area: countsArea(counts), box: countsToBbox(counts, h, w) };
}

/**
 * Results as COCO.loadRes prepares them. Its branch is chosen by the *first* result: when that has
 * a bbox, every detection's area is its box area, even in segm evaluation (so the area ranges of
 * unmatched mask detections use box areas); otherwise the area is the mask area.
 */
function prepareResults(results: readonly CocoResult[], imageIds: Set<number>): Item[] {
  const byBox = results.length > 0 && (results[0]!.bbox?.length ?? 0) > 0;
  return results.map((r, i) => {
    if (!imageIds.has(r.image_id)) throw new Error(`results[${i}]: image_id ${r.image_id} is not in the ground truth`);
    if (byBox) {
      if (!r.bbox || r.bbox.length !== 4) throw new Error(`results[${i}]: bbox [x, y, w, h] expected (the first result has one)`);
      const [x, y, w, h] = r.bbox as Bbox;
      const segmentation = r.segmentation ?? [[x, y, x, y + h, x + w, y + h, x + w, y]];
      return { area: w * h, iscrowd: false, score: r.score, box: [x, y, w, h], segmentation };
    }
    if (!r.segmentation) throw new Error(`results[${i}]: needs a bbox or a segmentation`);
    if (Array.isArray(r.segmentation)) throw new Error(`results[${i}]: a result without bbox needs an RLE segmentation`);
    const rle = r.segmentation as AnyRle;
    const box = (r.bbox as Bbox | undefined) ?? rleToBbox(rle);
    return { area: rleArea(rle), iscrowd: false, score: r.score, box, segmentation: r.segmentation };
  });
}

/** One image × category: its detections ranked and cut to maxDet, IoUs, matching for every area range. */
function evaluateGroup(g: readonly Item[], dAll: readonly Item[], image: { id: number; height: number; width: number }, catId: number, p: EvalParams): ImageEval {
  const maxDet = p.maxDets[p.maxDets.length - 1]!;
  const d = dAll.length > 1 ? scoreOrder(dAll.map((x) => x.score)).slice(0, maxDet).map((i) => dAll[i]!) : dAll.slice(0, maxDet);
  let ious: number[][];
  if (p.iouType === 'bbox') {
    ious = iouMatrix(d, g, g.map((x) => x.iscrowd), (a, b, c) => bboxIou(a.box, b.box, c));
  } else {
    // Masks are made on demand and live only while their image × category is evaluated:
    // short-lived garbage is cheap, whereas keeping every mask to the end made the garbage
    // collector the biggest cost. A missing mask is an error even where no IoU needs it; detections
    // always have one (prepareResults gives a box-only result its box as a polygon).
    const j = g.findIndex((x) => x.segmentation === undefined);
    if (j >= 0) throw new Error(`ground truth ${j} of image ${image.id}, category ${catId} has no segmentation (needed for iouType 'segm')`);
    ious = maskIouMatrix(d, g, (side, k) => prepareMask((side === 'detection' ? d : g)[k]!.segmentation!, image.height, image.width, `${side} ${k} of image ${image.id}, category ${catId}`));
  }
  return evaluateImage(g, d, ious, p.areaRng, maxDet, p.iouThrs);
}

export function cocoEvaluate(gt: CocoFile, results: readonly CocoResult[], options: CocoEvalOptions): CocoEvalResult {
  const p: EvalParams = { ...defaultParams(options.iouType), ...options.params, iouType: options.iouType };
  p.maxDets = [...p.maxDets].sort((a, b) => a - b);
  const images = new Map(gt.images.map((im) => [im.id, im]));
  const imgIds = [...new Set(options.imgIds ?? gt.images.map((im) => im.id))].sort((a, b) => a - b);
  const catIds = [...new Set(options.catIds ?? gt.categories.map((c) => c.id))].sort((a, b) => a - b);
  const dts = prepareResults(results, new Set(images.keys()));

  // groups.get(imageId)[k]: the ground truths / detections of one image and category index.
  const catIndex = new Map(catIds.map((id, k) => [id, k]));
  const gtGroups = new Map<number, Item[][]>();
  const dtGroups = new Map<number, Item[][]>();
  const push = (map: Map<number, Item[][]>, imageId: number, catId: number, item: Item) => {
    const k = catIndex.get(catId);
    if (k === undefined) return; // a category left out of the evaluation
    let row = map.get(imageId);
    if (!row) map.set(imageId, (row = catIds.map(() => [])));
    row[k]!.push(item);
  };
  for (const a of gt.annotations) {
    push(gtGroups, a.image_id, a.category_id, { area: a.area, iscrowd: a.iscrowd === 1, score: 0, box: a.bbox, segmentation: a.segmentation });
  }
  results.forEach((r, i) => push(dtGroups, r.image_id, r.category_id, dts[i]!));

  const none: Item[] = [];
  // evalImgs[k][i]: category k, image i (each holding every area range).
  const evalImgs: (ImageEval | null)[][] = catIds.map(() => []);
  for (const imgId of imgIds) {
    const image = images.get(imgId);
    if (!image) throw new Error(`image id ${imgId} is not in the ground truth`);
    const gRow = gtGroups.get(imgId);
    const dRow = dtGroups.get(imgId);
    for (let k = 0; k < catIds.length; k++) {
      const g = gRow?.[k] ?? none;
      const dAll = dRow?.[k] ?? none;
      if (g.length === 0 && dAll.length === 0) {
        evalImgs[k]!.push(null);
        continue;
      }
      evalImgs[k]!.push(evaluateGroup(g, dAll, image, catIds[k]!, p));
    }
  }

  const accumulated = accumulate(evalImgs, p);
  const stats = summarize(accumulated, p);
  const names = new Map(gt.categories.map((c) => [c.id, c.name]));
  return {
    stats,
    summary: Object.fromEntries(SUMMARY_KEYS.map((key, i) => [key, stats[i]!])) as Record<SummaryKey, number>,
    perCategory: catIds.map((id, k) => ({ categoryId: id, name: names.get(id) ?? String(id), ap: categoryAp(accumulated, p, k) })),
    accumulated,
    params: p,
    imgIds,
    catIds,
  };
}

/** The familiar 12-line COCOeval printout. */
export function formatSummary(stats: readonly number[], p: EvalParams = defaultParams('bbox')): string {
  const lines: [boolean, string, string, number][] = [
    [true, '0.50:0.95', 'all', p.maxDets[2]!],
    [true, '0.50', 'all', p.maxDets[2]!],
    [true, '0.75', 'all', p.maxDets[2]!],
    [true, '0.50:0.95', 'small', p.maxDets[2]!],
    [true, '0.50:0.95', 'medium', p.maxDets[2]!],
    [true, '0.50:0.95', 'large', p.maxDets[2]!],
    [false, '0.50:0.95', 'all', p.maxDets[0]!],
    [false, '0.50:0.95', 'all', p.maxDets[1]!],
    [false, '0.50:0.95', 'all', p.maxDets[2]!],
    [false, '0.50:0.95', 'small', p.maxDets[2]!],
    [false, '0.50:0.95', 'medium', p.maxDets[2]!],
    [false, '0.50:0.95', 'large', p.maxDets[2]!],
  ];
  return lines
    .map(([ap, iou, area, md], i) => {
      const title = ap ? 'Average Precision  (AP)' : 'Average Recall     (AR)';
      return ` ${title} @[ IoU=${iou.padEnd(9)} | area=${area.padStart(6)} | maxDets=${String(md).padStart(3)} ] = ${stats[i]!.toFixed(3)}`;
    })
    .join('\n');
}
