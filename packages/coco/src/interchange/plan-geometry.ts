// One COCO annotation's geometry in the form the project stores: polygon rings under the hole rule
// (ring-nesting.ts). RLE masks, crowd or not, are traced to rings (outlines and holes) so they stay
// editable; polygon rings nested in another ring are dropped, since COCO unites an annotation's rings
// and Segmenta would read them as holes. bbox and area are recomputed from what is stored; the
// file's values are only compared with them.

import { MAX_PARTS_PER_ANNOTATION, MAX_VERTICES_PER_ANNOTATION } from '@segmenta/contracts';
import { maskToRegions, simplifyRing } from '../contours';
import { polygonsArea, polygonsBbox, ringProblem, type Bbox, type Ring } from '../geometry';
import { instanceCounts, instanceRasterArea } from '../instance-mask';
import { ringNesting } from '../ring-nesting';
import { compressRle, countsArea, countsIntersection, decodeRle, rleArea, rleCounts, type Rle } from '../rle';
import type { CocoAnnotation, CocoImage, CocoIssue } from '../schema';

export interface PlannedGeometry {
  /** Rings [x1, y1, x2, y2, ...] in image pixels, a ring inside another being a hole. */
  polygons: Ring[];
  /** Always null: imports store rings (RLE is traced). Rows stored before that may still hold RLE. */
  rle: Rle | null;
  bbox: Bbox;
  /** Pixels of the rasterised instance, as the editor's saves store it. */
  area: number;
  iscrowd: 0 | 1;
}

const fmt = (v: number) => String(Math.round(v * 100) / 100);
const rectangle = ([x, y, w, h]: readonly number[]): Ring => [x!, y!, x! + w!, y!, x! + w!, y! + h!, x!, y! + h!];

function fromPolygons(rings: Ring[], at: string, warnings: CocoIssue[]): Ring[] {
  // pycocotools reads every ring as a box [x, y, w, h] when the first one has 4 numbers.
  if (rings[0]?.length === 4) {
    warnings.push({ path: at, message: 'rings of 4 numbers read as boxes [x, y, w, h], as pycocotools does' });
    rings = rings.map(rectangle);
  }
  const usable: { ring: Ring; index: number }[] = [];
  rings.forEach((ring, r) => {
    const problem = ringProblem(ring);
    if (problem) warnings.push({ path: `${at}[${r}]`, message: `polygon ${problem}; dropped` });
    else usable.push({ ring, index: r });
  });
  const { parent } = ringNesting(usable.map((u) => u.ring));
  return usable.flatMap((u, i) => {
    if (parent[i]! < 0) return [u.ring];
    warnings.push({ path: `${at}[${u.index}]`, message: `lies inside ring ${usable[parent[i]!]!.index}; COCO polygons of one annotation are united, so it adds nothing and is dropped (kept, it would be a hole)` });
    return [];
  });
}

const vertexCount = (rings: readonly Ring[]) => rings.reduce((n, r) => n + r.length / 2, 0);
const fits = (rings: readonly Ring[]) => rings.length <= MAX_PARTS_PER_ANNOTATION && vertexCount(rings) <= MAX_VERTICES_PER_ANNOTATION;

/** Douglas–Peucker tolerances tried, in pixels, when an exact trace is over the editor's limits. */
const TOLERANCES = [0.5, 1, 2, 4, 8, 16];

function fromRle(rle: Rle, at: string, warnings: CocoIssue[]): Ring[] {
  const [h, w] = rle.size;
  // Tolerance 0: corners on pixel edges rasterise back to exactly the same pixels.
  const regions = maskToRegions(decodeRle(rle), h, w);
  const exact = regions.flatMap((r) => [r.outer, ...r.holes]);
  if (fits(exact)) return exact;
  // Over the limits an annotator can edit: simplify, and keep the largest parts if still too many.
  let rings = exact;
  let tolerance = 0;
  for (const t of TOLERANCES) {
    tolerance = t;
    rings = regions.flatMap((r) => [r.outer, ...r.holes]).map((ring) => simplifyRing(ring, t)).filter((ring) => ring.length >= 6);
    if (vertexCount(rings) <= MAX_VERTICES_PER_ANNOTATION) break;
  }
  rings = rings.slice(0, MAX_PARTS_PER_ANNOTATION);
  while (vertexCount(rings) > MAX_VERTICES_PER_ANNOTATION) rings = rings.slice(0, -1);
  const want = rleCounts(rle);
  const got = instanceCounts(rings, h, w);
  const inter = countsIntersection(want, got);
  const iou = inter / (countsArea(want) + countsArea(got) - inter);
  warnings.push({
    path: at,
    message: `mask traces to ${exact.length} rings with ${vertexCount(exact)} vertices, over the editor's limit of ${MAX_PARTS_PER_ANNOTATION} rings and ${MAX_VERTICES_PER_ANNOTATION} vertices; stored simplified by ${tolerance} px${rings.length < exact.length ? `, largest ${rings.length} rings kept` : ''} (IoU ${iou.toFixed(4)} with the file's mask)`,
  });
  return rings;
}

function compare(ann: CocoAnnotation, g: PlannedGeometry, at: string, warnings: CocoIssue[], shoelaceArea: () => number): void {
  if (ann.bbox.some((v, i) => Math.abs(v - g.bbox[i]!) > 1)) {
    warnings.push({ path: `${at}.bbox`, message: `file's [${ann.bbox.map(fmt).join(', ')}] replaced by [${g.bbox.map(fmt).join(', ')}] computed from the segmentation` });
  }
  const close = (a: number) => Math.abs(ann.area - a) <= Math.max(1, 0.03 * a);
  // The stored area is the raster one (pycocotools'); many exporters write the shoelace area instead.
  if (!close(g.area) && !close(shoelaceArea())) {
    warnings.push({ path: `${at}.area`, message: `file's ${fmt(ann.area)} replaced by ${fmt(g.area)} computed from the segmentation` });
  }
}

/** Stored geometry of an annotation, or null (with a warning or an error saying why) when it has none. */
export function geometryOf(ann: CocoAnnotation, image: CocoImage, at: string, errors: CocoIssue[], warnings: CocoIssue[]): PlannedGeometry | null {
  const seg = ann.segmentation;
  let rings: Ring[];
  if (seg === undefined || (Array.isArray(seg) && seg.length === 0)) {
    if (!(ann.bbox[2] > 0 && ann.bbox[3] > 0)) {
      warnings.push({ path: at, message: 'no segmentation and an empty bbox; skipped' });
      return null;
    }
    warnings.push({ path: `${at}.segmentation`, message: 'missing; the bbox is imported as a rectangle' });
    rings = [rectangle(ann.bbox)];
  } else if (Array.isArray(seg)) {
    rings = fromPolygons(seg as Ring[], `${at}.segmentation`, warnings);
    if (rings.length === 0) {
      warnings.push({ path: `${at}.segmentation`, message: 'no usable polygon; skipped' });
      return null;
    }
  } else {
    let rle: Rle;
    try {
      rle = compressRle(seg);
      rleArea(rle);
    } catch (e) {
      errors.push({ path: `${at}.segmentation.counts`, message: (e as Error).message });
      return null;
    }
    if (rleArea(rle) === 0) {
      warnings.push({ path: `${at}.segmentation`, message: 'empty mask; skipped' });
      return null;
    }
    rings = fromRle(rle, `${at}.segmentation`, warnings);
  }
  const g: PlannedGeometry = { polygons: rings, rle: null, bbox: polygonsBbox(rings), area: instanceRasterArea(rings, image.height, image.width), iscrowd: ann.iscrowd };
  compare(ann, g, at, warnings, () => polygonsArea(rings));
  return g;
}

/** Warn about geometry reaching past the stored image (by more than a pixel of rounding). */
export function outsideImage(g: PlannedGeometry, image: { width: number; height: number }, at: string, warnings: CocoIssue[]): void {
  const [x, y, w, h] = g.bbox;
  if (x < -1 || y < -1 || x + w > image.width + 1 || y + h > image.height + 1) {
    warnings.push({ path: at, message: `extends past the ${image.width}x${image.height} image (bbox [${g.bbox.map(fmt).join(', ')}])` });
  }
}
