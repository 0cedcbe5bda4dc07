import { describe, expect, it } from 'vitest';
import { planCocoImport, type PlanCocoImportInput } from '../src/interchange';
import { MAX_PARTS_PER_ANNOTATION, MAX_VERTICES_PER_ANNOTATION } from '@segmenta/contracts';
import { instanceRasterArea, instanceToRle } from '../src/instance-mask';
import { polygonsToRle } from '../src/rasterize';
import { ringNesting } from '../src/ring-nesting';
import { encodeMask, maskToCounts, rleArea } from '../src/rle';
import { parseCocoFile } from '../src/schema';

const projectImages = [
  { id: 101, fileName: '1a2b3c4d-Street 1.JPG', width: 40, height: 30 },
  { id: 102, fileName: 'street2.jpg', width: 40, height: 30 },
];
const projectClasses = [
  { id: 7, name: 'Car' },
  { id: 8, name: 'person' },
];

/** A COCO file shaped like Label Studio's COCO export: category ids from 0, paths in file_name. */
function cocoJson() {
  return {
    images: [
      { id: 0, width: 40, height: 30, file_name: 'images/street%201.jpg' },
      { id: 1, width: 40, height: 30, file_name: 'C:\\export\\STREET2.jpg' },
      { id: 2, width: 40, height: 30, file_name: 'not-uploaded.jpg' },
    ],
    categories: [
      { id: 0, name: 'car' },
      { id: 1, name: 'Person' },
    ],
    annotations: [
      { id: 1, image_id: 0, category_id: 0, segmentation: [[2, 2, 12, 2, 12, 8, 2, 8]], bbox: [2, 2, 10, 6], area: 60, iscrowd: 0 },
      { id: 2, image_id: 1, category_id: 1, segmentation: [[0, 0, 10, 0, 0, 10]], bbox: [0, 0, 10, 10], area: 50, iscrowd: 0 },
      { id: 3, image_id: 2, category_id: 1, segmentation: [[0, 0, 10, 0, 0, 10]], bbox: [0, 0, 10, 10], area: 50, iscrowd: 0 },
    ],
  };
}

function plan(json: unknown, over: Partial<PlanCocoImportInput> = {}) {
  return planCocoImport({ coco: parseCocoFile(json).data, projectClasses, projectImages, createMissingClasses: false, ...over });
}

describe('planCocoImport: images and classes', () => {
  it('matches images by file name and categories by name, whatever the ids', () => {
    const p = plan(cocoJson());
    expect(p.errors).toEqual([]);
    expect(p.images).toEqual([
      { imageId: 101, cocoImageId: 0, fileName: 'images/street%201.jpg' },
      { imageId: 102, cocoImageId: 1, fileName: 'C:\\export\\STREET2.jpg' },
    ]);
    expect(p.annotations.map((a) => [a.cocoAnnotationId, a.imageId, a.classId, a.newClassName])).toEqual([
      [1, 101, 7, null],
      [2, 102, 8, null],
    ]);
    expect(p.annotations[0]).toMatchObject({ polygons: [[2, 2, 12, 2, 12, 8, 2, 8]], rle: null, bbox: [2, 2, 10, 6], area: 60, iscrowd: 0 });
    expect(p.newClasses).toEqual([]);
    expect(p.warnings).toEqual([{ path: 'images', message: expect.stringContaining('"not-uploaded.jpg"') as string }]);
  });

  it('names every missing class in one error unless asked to create them', () => {
    const json = cocoJson();
    json.categories.push({ id: 2, name: 'Bike' }, { id: 3, name: 'Bus' }, { id: 4, name: 'Tram' });
    json.annotations.push({ ...json.annotations[0]!, id: 4, category_id: 2 }, { ...json.annotations[0]!, id: 5, category_id: 3 });
    const refused = plan(json);
    expect(refused.errors).toHaveLength(1);
    expect(refused.errors[0]!.message).toContain('"Bike", "Bus"');
    expect(refused.errors[0]!.message).not.toContain('Tram');
    expect(refused.warnings.some((w) => w.path === 'categories[4]')).toBe(true);

    const created = plan(json, { createMissingClasses: true });
    expect(created.errors).toEqual([]);
    expect(created.newClasses).toEqual(['Bike', 'Bus', 'Tram']);
    expect(created.annotations.filter((a) => a.newClassName).map((a) => [a.cocoAnnotationId, a.classId, a.newClassName])).toEqual([
      [4, null, 'Bike'],
      [5, null, 'Bus'],
    ]);
  });

  it('errors on a real size mismatch, hints at EXIF rotation, and only warns on rounding', () => {
    const json = cocoJson();
    json.images[0] = { ...json.images[0]!, width: 30, height: 40 };
    json.images[1] = { ...json.images[1]!, width: 41, height: 30 };
    const p = plan(json);
    expect(p.errors).toHaveLength(1);
    expect(p.errors[0]).toMatchObject({ path: 'images[0]', message: expect.stringMatching(/30x40 .*40x30.*EXIF/) as string });
    expect(p.warnings.find((w) => w.path === 'images[1]')!.message).toMatch(/rounding/);
    expect(p.images.map((i) => i.imageId)).toEqual([102]);
    expect(p.annotations.map((a) => a.imageId)).toEqual([102]);
  });

  it('refuses ambiguous and doubly matched images', () => {
    const json = cocoJson();
    json.images[2] = { ...json.images[2]!, file_name: 'street2.JPG' };
    const doubled = plan(json);
    expect(doubled.errors).toEqual([{ path: 'images[2].file_name', message: expect.stringContaining('as images[1] does') as string }]);

    const ambiguous = plan(cocoJson(), { projectImages: [...projectImages, { id: 103, fileName: 'abcdef12-street2.jpg', width: 40, height: 30 }] });
    expect(ambiguous.errors.map((e) => e.path)).toEqual(['images[1].file_name']);
  });
});

/** An L-shaped mask with a separate speck, row-major. */
function lMask(h: number, w: number): Uint8Array {
  const m = new Uint8Array(h * w);
  for (let y = 2; y < 9; y++) for (let x = 3; x < 5; x++) m[y * w + x] = 1;
  for (let y = 7; y < 9; y++) for (let x = 5; x < 9; x++) m[y * w + x] = 1;
  m[1 * w + 12] = 1;
  return m;
}

describe('planCocoImport: geometry', () => {
  const h = 30, w = 40;
  const withAnnotation = (ann: Record<string, unknown>) => ({
    images: [{ id: 1, width: w, height: h, file_name: 'street2.jpg' }],
    categories: [{ id: 1, name: 'car' }],
    annotations: [{ id: 1, image_id: 1, category_id: 1, ...ann }],
  });

  it('traces a crowd RLE (uncompressed counts) into editable rings with the same pixels', () => {
    const mask = lMask(h, w);
    const p = plan(withAnnotation({ segmentation: { size: [h, w], counts: maskToCounts(mask, h, w) }, iscrowd: 1 }));
    const a = p.annotations[0]!;
    expect(a).toMatchObject({ iscrowd: 1, rle: null, bbox: [3, 1, 10, 8], area: 14 + 8 + 1 });
    expect(instanceToRle(a.polygons, h, w)).toEqual(encodeMask(mask, h, w));
    expect(p.warnings).toEqual([]);
  });

  it('traces a non-crowd RLE to polygons that rasterise to the same pixels', () => {
    const mask = lMask(h, w);
    const p = plan(withAnnotation({ segmentation: encodeMask(mask, h, w), iscrowd: 0 }));
    const a = p.annotations[0]!;
    expect(a.rle).toBeNull();
    expect(a.polygons).toHaveLength(2);
    expect(instanceToRle(a.polygons, h, w)).toEqual(encodeMask(mask, h, w));
    expect(a.area).toBe(23);
    expect(a.bbox).toEqual([3, 1, 10, 8]);
    expect(p.warnings).toEqual([]);
  });

  it('traces an RLE on a larger image in place (bbox crop offset back)', () => {
    const H = 300, Wd = 400;
    const mask = new Uint8Array(H * Wd);
    for (let y = 120; y < 190; y++) for (let x = 250; x < 290 + (y % 7); x++) mask[y * Wd + x] = 1;
    const json = { images: [{ id: 1, width: Wd, height: H, file_name: 'big.jpg' }], categories: [{ id: 1, name: 'car' }], annotations: [{ id: 1, image_id: 1, category_id: 1, segmentation: encodeMask(mask, H, Wd) }] };
    const p = plan(json, { projectImages: [{ id: 5, fileName: 'big.jpg', width: Wd, height: H }] });
    expect(polygonsToRle(p.annotations[0]!.polygons, H, Wd)).toEqual(encodeMask(mask, H, Wd));
    expect(p.annotations[0]!.bbox).toEqual([250, 120, 46, 70]);
  });

  it('traces the holes of an RLE mask, and islands in them, as rings of the instance', () => {
    const mask = new Uint8Array(h * w);
    // A 9x9 square with a 5x5 hole and a pixel in the middle of the hole.
    for (let y = 5; y < 14; y++) for (let x = 5; x < 14; x++) if (!(x >= 7 && x < 12 && y >= 7 && y < 12)) mask[y * w + x] = 1;
    mask[9 * w + 9] = 1;
    const p = plan(withAnnotation({ segmentation: encodeMask(mask, h, w) }));
    const a = p.annotations[0]!;
    expect(a.polygons).toHaveLength(3);
    expect(ringNesting(a.polygons).depth).toEqual([0, 1, 2]);
    expect(instanceToRle(a.polygons, h, w)).toEqual(encodeMask(mask, h, w));
    expect(a.area).toBe(81 - 25 + 1);
    expect(p.warnings).toEqual([]);
  });

  it('drops a polygon ring that lies inside another: COCO unites an annotation\'s rings, so it adds nothing', () => {
    const outer = [2, 2, 22, 2, 22, 22, 2, 22];
    const inner = [6, 6, 12, 6, 12, 12, 6, 12];
    const p = plan(withAnnotation({ segmentation: [outer, inner, [30, 2, 38, 2, 38, 9]] }));
    const a = p.annotations[0]!;
    expect(a.polygons).toEqual([outer, [30, 2, 38, 2, 38, 9]]);
    // pycocotools' mask of the file's annotation is what is stored.
    expect(instanceToRle(a.polygons, h, w)).toEqual(polygonsToRle([outer, inner, [30, 2, 38, 2, 38, 9]], h, w));
    expect(p.warnings.map((x) => [x.path, x.message])).toEqual([['annotations[0].segmentation[1]', expect.stringMatching(/inside ring 0.*united.*dropped/) as string]]);
  });

  it('simplifies a traced mask that exceeds the editor\'s limits, saying how close it stays', () => {
    const H = 200, Wd = 200;
    const mask = new Uint8Array(H * Wd);
    // A checkerboard of 4-pixel cells: 1,250 parts, far over 100 rings per instance.
    for (let y = 0; y < H; y++) for (let x = 0; x < Wd; x++) if ((Math.floor(x / 4) + Math.floor(y / 4)) % 2 === 0) mask[y * Wd + x] = 1;
    const json = { images: [{ id: 1, width: Wd, height: H, file_name: 'big.jpg' }], categories: [{ id: 1, name: 'car' }], annotations: [{ id: 1, image_id: 1, category_id: 1, iscrowd: 1, segmentation: encodeMask(mask, H, Wd) }] };
    const p = plan(json, { projectImages: [{ id: 5, fileName: 'big.jpg', width: Wd, height: H }] });
    const a = p.annotations[0]!;
    expect(a.polygons.length).toBeLessThanOrEqual(MAX_PARTS_PER_ANNOTATION);
    expect(a.polygons.reduce((n, r) => n + r.length / 2, 0)).toBeLessThanOrEqual(MAX_VERTICES_PER_ANNOTATION);
    expect(a.area).toBe(instanceRasterArea(a.polygons, H, Wd));
    const warning = p.warnings.find((x) => x.path === 'annotations[0].segmentation');
    expect(warning?.message).toMatch(/1250 rings.*limit.*IoU 0\.\d+/);
  });

  it('recomputes bbox and area, warning where the file disagrees', () => {
    const ring = [2, 2, 12, 2, 12, 8, 2, 8];
    const p = plan(withAnnotation({ segmentation: [ring, [20, 20, 21, 20]], bbox: [0, 0, 10, 6], area: 70 }));
    expect(p.annotations[0]).toMatchObject({ polygons: [ring], bbox: [2, 2, 10, 6], area: 60 });
    expect(p.warnings.map((x) => x.path)).toEqual(['annotations[0].segmentation[1]', 'annotations[0].bbox', 'annotations[0].area']);
  });

  it("stores a polygon's raster area (pycocotools'), accepting the shoelace area in the file too", () => {
    const tri = [0, 0, 10, 0, 0, 10];
    const rasterArea = rleArea(polygonsToRle([tri], h, w));
    expect(Math.abs(rasterArea - 50)).toBeGreaterThan(1.5);
    for (const area of [rasterArea, 50]) {
      const p = plan(withAnnotation({ segmentation: [tri], area }));
      expect(p.annotations[0]!.area).toBe(rasterArea);
      expect(p.warnings).toEqual([]);
    }
  });

  it('imports a box-only annotation as a rectangle and skips empty ones', () => {
    const json = withAnnotation({ segmentation: [], bbox: [4, 5, 6, 7], area: 42 });
    json.annotations.push({ id: 2, image_id: 1, category_id: 1, bbox: [4, 5, 0, 7], area: 0 } as (typeof json.annotations)[0]);
    const p = plan(json);
    expect(p.annotations).toHaveLength(1);
    expect(p.annotations[0]).toMatchObject({ polygons: [[4, 5, 10, 5, 10, 12, 4, 12]], bbox: [4, 5, 6, 7], area: 42 });
    expect(p.warnings.map((x) => x.path)).toEqual(['annotations[0].segmentation', 'annotations[1]']);
  });

  it('warns about geometry past the stored image', () => {
    const p = plan(withAnnotation({ segmentation: [[30, 20, 45, 20, 45, 29]] }));
    expect(p.warnings.map((x) => x.path)).toContain('annotations[0]');
    expect(p.warnings.find((x) => x.path === 'annotations[0]')!.message).toMatch(/extends past the 40x30 image/);
  });
});
