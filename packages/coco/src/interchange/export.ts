// A project's annotations as a COCO instances file. Ids are renumbered from 1 (images in the given
// order, categories in class order, annotations image by image): pycocotools treats id 0 as
// "unmatched", and numbering from 1 keeps files small and stable across exports.
//
// COCO unites the polygons of an annotation, so an instance with holes (ring-nesting.ts) cannot be
// written as polygons: it is written as its compressed RLE mask, which COCO allows for any
// annotation (pycocotools' annToRLE and COCOeval take RLE whatever iscrowd says). Crowd regions are
// RLE too, as in COCO's own files; everything else keeps its polygons.

import type { Bbox, Ring } from '../geometry';
import { instanceToRle } from '../instance-mask';
import { hasHoles } from '../ring-nesting';
import { compressRle, rleArea, rleToBbox, type AnyRle, type Rle } from '../rle';
import type { CocoAnnotation, CocoCategory, CocoFile, CocoImage } from '../schema';

export interface ExportClass {
  id: string | number;
  name: string;
  order: number;
}
export interface ExportImage {
  id: string | number;
  fileName: string;
  width: number;
  height: number;
}
export interface ExportAnnotation {
  id: string | number;
  imageId: string | number;
  classId: string | number;
  polygons: readonly Ring[];
  rle: AnyRle | null;
  bbox: Bbox | readonly number[];
  area: number;
  iscrowd: 0 | 1 | boolean;
}

export interface CocoExportInput {
  project: { name: string };
  classes: readonly ExportClass[];
  images: readonly ExportImage[];
  annotations: readonly ExportAnnotation[];
  /** Stamped into `info`; fixed in tests so output is reproducible. */
  now?: Date;
}

/** What an export writes for one stored instance: RLE for holes and crowds, else its polygons. */
export function exportSegmentation(ann: Pick<ExportAnnotation, 'polygons' | 'rle' | 'iscrowd'>, height: number, width: number): Ring[] | Rle {
  if (ann.polygons.length === 0) return ann.rle ? compressRle(ann.rle) : [];
  if (ann.iscrowd || hasHoles(ann.polygons)) return instanceToRle(ann.polygons, height, width);
  return ann.polygons.map((r) => [...r]);
}

/**
 * COCO file of a project (segmentations as exportSegmentation writes them). Throws when an
 * annotation names an image or class not in the input, since that is a caller's bug, not something
 * to export silently.
 */
export function buildCocoExport(input: CocoExportInput): CocoFile {
  const now = input.now ?? new Date();
  const images: CocoImage[] = input.images.map((img, i) => ({ id: i + 1, width: img.width, height: img.height, file_name: img.fileName }));
  const imageIds = new Map(input.images.map((img, i) => [img.id, i + 1]));
  const sizes = new Map(input.images.map((img) => [img.id, img]));
  const sorted = [...input.classes].sort((a, b) => a.order - b.order || String(a.id).localeCompare(String(b.id)));
  const categories: CocoCategory[] = sorted.map((c, i) => ({ id: i + 1, name: c.name, supercategory: 'none' }));
  const categoryIds = new Map(sorted.map((c, i) => [c.id, i + 1]));

  // Stable sort by exported image id keeps each image's annotations in their given order.
  const ordered = input.annotations
    .map((ann) => {
      const imageId = imageIds.get(ann.imageId);
      const categoryId = categoryIds.get(ann.classId);
      if (imageId === undefined) throw new Error(`annotation ${ann.id} belongs to image ${ann.imageId}, which is not exported`);
      if (categoryId === undefined) throw new Error(`annotation ${ann.id} has class ${ann.classId}, which is not exported`);
      return { ann, imageId, categoryId };
    })
    .sort((a, b) => a.imageId - b.imageId);

  const annotations: CocoAnnotation[] = ordered.map(({ ann, imageId, categoryId }, i) => {
    const iscrowd = ann.iscrowd ? 1 : 0;
    const image = sizes.get(ann.imageId)!;
    const segmentation = exportSegmentation(ann, image.height, image.width);
    const [x = 0, y = 0, w = 0, h = 0] = ann.bbox;
    // A mask's box and area are its pixels' (as pycocotools' toBbox and area give them), which is
    // also what importing the file back stores; rows saved before holes were cut may hold the
    // filled area.
    const mask = Array.isArray(segmentation) ? null : segmentation;
    const bbox: Bbox = mask ? rleToBbox(mask) : [x, y, w, h];
    return { id: i + 1, image_id: imageId, category_id: categoryId, segmentation, bbox, area: mask ? rleArea(mask) : ann.area, iscrowd };
  });

  return {
    info: {
      description: input.project.name,
      version: '1.0',
      year: now.getUTCFullYear(),
      contributor: 'Segmenta',
      date_created: now.toISOString(),
    },
    licenses: [],
    images,
    annotations,
    categories,
  };
}
