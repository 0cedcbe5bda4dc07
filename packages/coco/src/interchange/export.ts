// A project's annotations as a COCO instances file. Ids are renumbered from 1 (images in the given
// order, categories in class order, annotations image by image): pycocotools treats id 0 as
// "unmatched", and numbering from 1 keeps files small and stable across exports.

import type { Bbox, Ring } from '../geometry';
import { compressRle, type AnyRle } from '../rle';
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

/**
 * COCO file of a project. A crowd annotation with an RLE is written as compressed RLE, every other
 * one as its polygon rings. Throws when an annotation names an image or class not in the input,
 * since that is a caller's bug, not something to export silently.
 */
export function buildCocoExport(input: CocoExportInput): CocoFile {
  const now = input.now ?? new Date();
  const images: CocoImage[] = input.images.map((img, i) => ({ id: i + 1, width: img.width, height: img.height, file_name: img.fileName }));
  const imageIds = new Map(input.images.map((img, i) => [img.id, i + 1]));
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
    const segmentation = iscrowd && ann.rle ? compressRle(ann.rle) : ann.polygons.map((r) => [...r]);
    const [x = 0, y = 0, w = 0, h = 0] = ann.bbox;
    return { id: i + 1, image_id: imageId, category_id: categoryId, segmentation, bbox: [x, y, w, h], area: ann.area, iscrowd };
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
