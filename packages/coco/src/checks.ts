// Cross-record checks of a structurally valid COCO file: references, duplicate ids, RLE sizes, and
// bbox/area values compared with what pycocotools would compute from the segmentation.

import { polygonsArea, polygonsBbox, ringProblem, type Bbox, type Ring } from './geometry';
import { polygonsToRle } from './rasterize';
import { rleArea, rleCounts, rleToBbox, type Rle, type UncompressedRle } from './rle';
import type { CocoAnnotation, CocoAnnotationInput, CocoFile, CocoIssue } from './schema';

interface StructurallyValidFile {
  images: CocoFile['images'];
  categories: CocoFile['categories'];
  annotations: CocoAnnotationInput[];
  [k: string]: unknown;
}

/** Bbox within a pixel of a reference. Exporters differ in whether they take polygon extremes or mask pixels. */
const BBOX_TOLERANCE = 1;
/** Area within 1 px or 3 %: raster and shoelace areas differ by about half the perimeter on small shapes. */
const areaClose = (a: number, ref: number) => Math.abs(a - ref) <= Math.max(1, 0.03 * ref);
const bboxClose = (a: Bbox, ref: Bbox) => a.every((v, i) => Math.abs(v - ref[i]!) <= BBOX_TOLERANCE);
const fmt = (v: number) => String(Math.round(v * 100) / 100);
const fmtBox = (b: Bbox) => `[${b.map(fmt).join(', ')}]`;

/** Values recomputed from a segmentation, each list holding every acceptable convention. */
interface Recomputed {
  areas: number[];
  bboxes: Bbox[];
}

function duplicates<T extends { id: number }>(items: readonly T[], where: string, errors: CocoIssue[]): Map<number, T> {
  const byId = new Map<number, T>();
  const firstIndex = new Map<number, number>();
  items.forEach((item, i) => {
    const first = firstIndex.get(item.id);
    if (first !== undefined) errors.push({ path: `${where}[${i}].id`, message: `duplicate id ${item.id} (also ${where}[${first}])` });
    else {
      firstIndex.set(item.id, i);
      byId.set(item.id, item);
    }
  });
  return byId;
}

function recompute(seg: CocoAnnotationInput['segmentation'], height: number, width: number, path: string, errors: CocoIssue[], warnings: CocoIssue[]): Recomputed | null {
  if (seg === undefined) return null;
  if (Array.isArray(seg)) {
    const rings: Ring[] = [];
    seg.forEach((ring, r) => {
      const problem = ringProblem(ring);
      if (problem) warnings.push({ path: `${path}[${r}]`, message: `polygon ${problem}; ignored` });
      else rings.push(ring);
    });
    if (rings.length === 0) {
      warnings.push({ path, message: 'no usable polygon' });
      return null;
    }
    const raster = polygonsToRle(rings, height, width);
    // pycocotools' area is the raster one; many exporters (Label Studio included) write the shoelace area.
    return { areas: [rleArea(raster), polygonsArea(rings)], bboxes: [polygonsBbox(rings), rleToBbox(raster)] };
  }
  const rle = seg as Rle | UncompressedRle;
  if (rle.size[0] !== height || rle.size[1] !== width) {
    errors.push({ path: `${path}.size`, message: `RLE size [${rle.size}] differs from the image's [height, width] [${height}, ${width}]` });
    return null;
  }
  try {
    rleCounts(rle);
  } catch (e) {
    errors.push({ path: `${path}.counts`, message: (e as Error).message });
    return null;
  }
  return { areas: [rleArea(rle)], bboxes: [rleToBbox(rle)] };
}

export function checkCocoFile(file: StructurallyValidFile): { data: CocoFile; errors: CocoIssue[]; warnings: CocoIssue[] } {
  const errors: CocoIssue[] = [];
  const warnings: CocoIssue[] = [];
  const images = duplicates(file.images, 'images', errors);
  const categories = duplicates(file.categories, 'categories', errors);
  duplicates(file.annotations, 'annotations', errors);

  const annotations: CocoAnnotation[] = file.annotations.map((ann, i) => {
    const at = `annotations[${i}]`;
    const image = images.get(ann.image_id);
    if (!image) errors.push({ path: `${at}.image_id`, message: `no image with id ${ann.image_id}` });
    if (!categories.has(ann.category_id)) errors.push({ path: `${at}.category_id`, message: `no category with id ${ann.category_id}` });
    if (ann.id === 0) {
      warnings.push({ path: `${at}.id`, message: "annotation id 0: pycocotools' COCOeval mistakes it for 'unmatched'; number from 1" });
    }
    const ref = image ? recompute(ann.segmentation, image.height, image.width, `${at}.segmentation`, errors, warnings) : null;

    let bbox = ann.bbox;
    if (!bbox) {
      if (ref) {
        bbox = ref.bboxes[0]!;
        warnings.push({ path: `${at}.bbox`, message: `missing; computed ${fmtBox(bbox)} from the segmentation` });
      } else {
        errors.push({ path: `${at}.bbox`, message: 'missing, and there is no segmentation to compute it from' });
        bbox = [0, 0, 0, 0];
      }
    } else if (ref && !ref.bboxes.some((b) => bboxClose(bbox!, b))) {
      warnings.push({ path: `${at}.bbox`, message: `${fmtBox(bbox)} disagrees with the segmentation's ${fmtBox(ref.bboxes[0]!)}` });
    }

    let area = ann.area;
    if (area === undefined) {
      area = ref ? ref.areas[0]! : bbox[2] * bbox[3];
      warnings.push({ path: `${at}.area`, message: `missing; computed ${fmt(area)} from the ${ref ? 'segmentation' : 'bbox'}` });
    } else if (ref && !ref.areas.some((a) => areaClose(area!, a))) {
      warnings.push({ path: `${at}.area`, message: `${fmt(area)} disagrees with the segmentation's ${ref.areas.map(fmt).join(' / ')}` });
    }
    return { ...ann, bbox, area };
  });
  return { data: { ...file, annotations } as CocoFile, errors, warnings };
}
