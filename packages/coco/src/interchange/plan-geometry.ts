// One COCO annotation's geometry in the form the project stores: polygon rings for ordinary
// instances (RLE masks are traced to polygons so they stay editable), RLE for crowd regions that
// came as RLE. bbox and area are recomputed from what is stored; the file's values are only
// compared with them.

import { maskToPolygons } from '../contours';
import { polygonsArea, polygonsBbox, ringProblem, type Bbox, type Ring } from '../geometry';
import { polygonsToRle } from '../rasterize';
import { compressRle, decodeRle, rleArea, rleToBbox, type Rle } from '../rle';
import type { CocoAnnotation, CocoImage, CocoIssue } from '../schema';

export interface PlannedGeometry {
  /** Rings [x1, y1, x2, y2, ...] in image pixels; empty for a crowd region stored as RLE. */
  polygons: Ring[];
  /** Compressed RLE of a crowd region, else null. */
  rle: Rle | null;
  bbox: Bbox;
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
  const kept: Ring[] = [];
  rings.forEach((ring, r) => {
    const problem = ringProblem(ring);
    if (problem) warnings.push({ path: `${at}[${r}]`, message: `polygon ${problem}; dropped` });
    else kept.push(ring);
  });
  return kept;
}

function fromRle(rle: Rle, at: string, warnings: CocoIssue[]): Ring[] {
  const w = rle.size[1];
  const mask = decodeRle(rle);
  // Trace inside the bbox only: labelling a whole 4K image per instance costs 50 MB and seconds.
  const [bx, by, bw, bh] = rleToBbox(rle);
  const crop = new Uint8Array(bw * bh);
  for (let y = 0; y < bh; y++) crop.set(mask.subarray((by + y) * w + bx, (by + y) * w + bx + bw), y * bw);
  // Tolerance 0: corners on pixel edges rasterise back to the same pixels.
  const rings = maskToPolygons(crop, bh, bw).map((ring) => ring.map((v, i) => v + (i % 2 === 0 ? bx : by)));
  const traced = polygonsArea(rings);
  const pixels = rleArea(rle);
  if (traced > pixels) warnings.push({ path: at, message: `mask has holes (${fmt(traced - pixels)} px); polygons cannot express them, so they are filled` });
  return rings;
}

function compare(ann: CocoAnnotation, g: PlannedGeometry, at: string, warnings: CocoIssue[], rasterArea: () => number): void {
  if (ann.bbox.some((v, i) => Math.abs(v - g.bbox[i]!) > 1)) {
    warnings.push({ path: `${at}.bbox`, message: `file's [${ann.bbox.map(fmt).join(', ')}] replaced by [${g.bbox.map(fmt).join(', ')}] computed from the segmentation` });
  }
  const close = (a: number) => Math.abs(ann.area - a) <= Math.max(1, 0.03 * a);
  // pycocotools' area of a polygon is its raster area; accept that convention too.
  if (!close(g.area) && !(g.rle === null && close(rasterArea()))) {
    warnings.push({ path: `${at}.area`, message: `file's ${fmt(ann.area)} replaced by ${fmt(g.area)} computed from the segmentation` });
  }
}

/** Stored geometry of an annotation, or null (with a warning or an error saying why) when it has none. */
export function geometryOf(ann: CocoAnnotation, image: CocoImage, at: string, errors: CocoIssue[], warnings: CocoIssue[]): PlannedGeometry | null {
  const seg = ann.segmentation;
  const iscrowd = ann.iscrowd;
  let g: PlannedGeometry;
  if (seg === undefined || (Array.isArray(seg) && seg.length === 0)) {
    if (!(ann.bbox[2] > 0 && ann.bbox[3] > 0)) {
      warnings.push({ path: at, message: 'no segmentation and an empty bbox; skipped' });
      return null;
    }
    warnings.push({ path: `${at}.segmentation`, message: 'missing; the bbox is imported as a rectangle' });
    const rings = [rectangle(ann.bbox)];
    g = { polygons: rings, rle: null, bbox: polygonsBbox(rings), area: polygonsArea(rings), iscrowd };
  } else if (Array.isArray(seg)) {
    const rings = fromPolygons(seg as Ring[], `${at}.segmentation`, warnings);
    if (rings.length === 0) {
      warnings.push({ path: `${at}.segmentation`, message: 'no usable polygon; skipped' });
      return null;
    }
    g = { polygons: rings, rle: null, bbox: polygonsBbox(rings), area: polygonsArea(rings), iscrowd };
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
    if (iscrowd) g = { polygons: [], rle, bbox: rleToBbox(rle), area: rleArea(rle), iscrowd };
    else {
      const rings = fromRle(rle, `${at}.segmentation`, warnings);
      g = { polygons: rings, rle: null, bbox: polygonsBbox(rings), area: polygonsArea(rings), iscrowd };
    }
  }
  compare(ann, g, at, warnings, () => rleArea(polygonsToRle(g.polygons, image.height, image.width)));
  return g;
}

/** Warn about geometry reaching past the stored image (by more than a pixel of rounding). */
export function outsideImage(g: PlannedGeometry, image: { width: number; height: number }, at: string, warnings: CocoIssue[]): void {
  const [x, y, w, h] = g.bbox;
  if (x < -1 || y < -1 || x + w > image.width + 1 || y + h > image.height + 1) {
    warnings.push({ path: at, message: `extends past the ${image.width}x${image.height} image (bbox [${g.bbox.map(fmt).join(', ')}])` });
  }
}
