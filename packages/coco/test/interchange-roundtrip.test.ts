import { describe, expect, it } from 'vitest';
import { buildCocoExport, labelStudioToCoco, planCocoImport, type CocoExportInput, type ExportAnnotation } from '../src/interchange';
import { distanceToRings, polygonsBbox, type Ring } from '../src/geometry';
import { instanceRasterArea, instanceToRle } from '../src/instance-mask';
import { ringNesting } from '../src/ring-nesting';
import { decodeRle, encodeMask, rleArea, rleToBbox, type Rle } from '../src/rle';
import { parseCocoFile } from '../src/schema';

const now = new Date('2026-01-02T03:04:05Z');

function crowdMask(h: number, w: number): Uint8Array {
  const m = new Uint8Array(h * w);
  for (let y = 10; y < 20; y++) for (let x = 0; x < 25; x++) if ((x + y) % 3 !== 0) m[y * w + x] = 1;
  return m;
}

const DONUT: Ring = [20.25, 10.5, 45.75, 11, 44, 36.25, 21, 35];
const DONUT_HOLE: Ring = [27, 16.5, 38.5, 17, 37, 29.5, 28, 30];

/** Largest distance from a vertex of `a` to the outline of `b`, in pixels. */
function ringDistance(a: Ring, b: Ring): number {
  let worst = 0;
  for (let i = 0; i < a.length; i += 2) worst = Math.max(worst, distanceToRings(a[i]!, a[i + 1]!, [b]));
  return worst;
}

/** A project as the web app would load it: ids far from 1, classes ordered differently from their ids. */
function project(): CocoExportInput {
  const size = (imageId: number) => (imageId === 900 ? [32, 48] : [40, 64]) as [number, number];
  // As the database stores them: the raster area under the hole rule.
  const ann = (id: number, imageId: number, classId: number, polygons: number[][], iscrowd: 0 | 1 = 0): ExportAnnotation => ({
    id,
    imageId,
    classId,
    polygons,
    rle: null,
    bbox: polygonsBbox(polygons),
    area: instanceRasterArea(polygons, ...size(imageId)),
    iscrowd,
  });
  const crowd = encodeMask(crowdMask(32, 48), 32, 48);
  return {
    project: { name: 'Street scenes' },
    classes: [
      { id: 40, name: 'person', order: 2 },
      { id: 41, name: 'car', order: 0 },
      { id: 42, name: 'bike', order: 1 },
    ],
    images: [
      { id: 900, fileName: 'b.jpg', width: 48, height: 32 },
      { id: 901, fileName: 'Été à Paris.png', width: 64, height: 40 },
    ],
    annotations: [
      ann(5000, 901, 40, [[1.5, 2.25, 30.75, 2, 20, 30.5]]),
      ann(5001, 900, 41, [
        [0, 0, 10, 0, 10, 10, 0, 10],
        [20, 20, 30, 20, 25, 28],
      ]),
      { id: 5002, imageId: 900, classId: 40, polygons: [], rle: crowd, bbox: rleToBbox(crowd), area: rleArea(crowd), iscrowd: 1 },
      ann(5003, 900, 42, [[40, 1, 47, 1, 47, 31, 40, 31]]),
      // A ring with a hole and an island in the hole, beside a part of its own.
      ann(5004, 901, 41, [DONUT, DONUT_HOLE, [30.5, 20, 34, 20.5, 32, 25], [50, 5, 60, 5, 60, 15, 50, 15]]),
      // A crowd region drawn as polygons.
      ann(5005, 901, 40, [[2, 30, 20, 30, 20, 38, 2, 38]], 1),
    ],
    now,
  };
}

describe('buildCocoExport', () => {
  it('writes an instance with holes, and every crowd, as its RLE mask; the rest as polygons', () => {
    const coco = buildCocoExport(project());
    const byOriginal = (id: number) => coco.annotations[[5001, 5002, 5003, 5000, 5004, 5005].indexOf(id)]!;
    const holed = project().annotations[4]!;
    const rle = byOriginal(5004).segmentation as Rle;
    expect(rle).toEqual(instanceToRle(holed.polygons, 40, 64));
    expect(byOriginal(5004)).toMatchObject({ iscrowd: 0, area: holed.area });
    expect(rleArea(rle)).toBe(holed.area);
    // The hole is empty in the mask, the island inside it set.
    const mask = decodeRle(rle);
    expect(mask[23 * 64 + 25]).toBe(1);
    expect(mask[19 * 64 + 29]).toBe(0);
    expect(mask[21 * 64 + 32]).toBe(1);
    expect(byOriginal(5005)).toMatchObject({ iscrowd: 1, segmentation: instanceToRle([[2, 30, 20, 30, 20, 38, 2, 38]], 40, 64) });
    expect(byOriginal(5000).segmentation).toEqual(project().annotations[0]!.polygons);
  });

  it('writes COCO with ids from 1, categories in class order and RLE for crowds', () => {
    const coco = buildCocoExport(project());
    expect(coco.info).toEqual({ description: 'Street scenes', version: '1.0', year: 2026, contributor: 'Segmenta', date_created: '2026-01-02T03:04:05.000Z' });
    expect(coco.licenses).toEqual([]);
    expect(coco.categories.map((c) => [c.id, c.name])).toEqual([
      [1, 'car'],
      [2, 'bike'],
      [3, 'person'],
    ]);
    expect(coco.images.map((i) => [i.id, i.file_name, i.width, i.height])).toEqual([
      [1, 'b.jpg', 48, 32],
      [2, 'Été à Paris.png', 64, 40],
    ]);
    // Grouped by image, given order kept within an image.
    expect(coco.annotations.map((a) => [a.id, a.image_id, a.category_id, a.iscrowd])).toEqual([
      [1, 1, 1, 0],
      [2, 1, 3, 1],
      [3, 1, 2, 0],
      [4, 2, 3, 0],
      [5, 2, 1, 0],
      [6, 2, 3, 1],
    ]);
    expect(coco.annotations[1]!.segmentation).toEqual(project().annotations[2]!.rle);
    expect(coco.annotations[0]!.segmentation).toEqual(project().annotations[1]!.polygons);
  });

  it('parses back without errors or warnings', () => {
    const { warnings } = parseCocoFile(JSON.parse(JSON.stringify(buildCocoExport(project()))));
    expect(warnings).toEqual([]);
  });

  it('refuses an annotation whose class is not exported', () => {
    const p = project();
    p.annotations = [{ ...p.annotations[0]!, classId: 99 }];
    expect(() => buildCocoExport(p)).toThrow(/class 99/);
  });

  it('export → parse → plan → export is lossless apart from ids', () => {
    const original = project();
    const first = buildCocoExport(original);
    const { data } = parseCocoFile(JSON.parse(JSON.stringify(first)));
    const plan = planCocoImport({ coco: data, projectClasses: original.classes, projectImages: original.images, createMissingClasses: false });
    expect(plan.errors).toEqual([]);
    expect(plan.warnings).toEqual([]);
    expect(plan.newClasses).toEqual([]);

    // What the route would store, then load again for the next export.
    const stored: ExportAnnotation[] = plan.annotations.map((a, i) => ({
      id: 7000 + i,
      imageId: a.imageId,
      classId: a.classId!,
      polygons: a.polygons,
      rle: a.rle,
      bbox: a.bbox,
      area: a.area,
      iscrowd: a.iscrowd,
    }));
    const second = buildCocoExport({ ...original, annotations: stored });
    expect(second).toEqual(first);

    // Each stored annotation has the original's pixels and area (ids differ). Polygons without
    // holes come back as they were; RLE comes back traced along pixel edges, within a pixel of the
    // rings that were drawn, nested the same way.
    expect(stored.map((a) => a.area)).toEqual(first.annotations.map((a) => a.area));
    const originals = [5001, 5002, 5003, 5000, 5004, 5005].map((id) => original.annotations.find((a) => a.id === id)!);
    stored.forEach((a, i) => {
      const o = originals[i]!;
      const [h, w] = o.imageId === 900 ? [32, 48] : [40, 64];
      expect(instanceToRle(a.polygons, h, w)).toEqual(o.rle ?? instanceToRle(o.polygons, h, w));
      expect([a.classId, a.iscrowd, a.rle]).toEqual([o.classId, o.iscrowd, null]);
    });
    expect(stored[0]!.polygons).toEqual(originals[0]!.polygons);
    const holed = stored[4]!;
    expect(ringNesting(holed.polygons).depth).toEqual([0, 1, 0, 2]);
    const drawn = originals[4]!.polygons;
    const pairs: [number, number][] = [[0, 0], [1, 1], [2, 3], [3, 2]]; // traced (largest part first) ↔ drawn
    for (const [t, d] of pairs) {
      expect(ringDistance(holed.polygons[t]!, drawn[d]!)).toBeLessThanOrEqual(1);
      expect(ringDistance(drawn[d]!, holed.polygons[t]!)).toBeLessThanOrEqual(1);
    }
  });

  it('a Label Studio export plans into the project it was labelled from', () => {
    const tasks = [
      {
        data: { image: '/data/upload/5/deadbeef-%C3%89t%C3%A9%20%C3%A0%20Paris.png' },
        annotations: [
          {
            result: [
              { type: 'polygonlabels', original_width: 64, original_height: 40, value: { points: [[25, 25], [75, 25], [50, 75]], polygonlabels: ['Person'] } },
              { type: 'rectanglelabels', original_width: 64, original_height: 40, value: { x: 0, y: 0, width: 50, height: 50, rotation: 0, rectanglelabels: ['Tram'] } },
            ],
          },
        ],
      },
    ];
    const { coco } = labelStudioToCoco(tasks);
    const { data } = parseCocoFile(coco);
    const p = project();
    const plan = planCocoImport({ coco: data, projectClasses: p.classes, projectImages: p.images, createMissingClasses: true });
    expect(plan.errors).toEqual([]);
    expect(plan.images).toEqual([{ imageId: 901, cocoImageId: 1, fileName: 'Été à Paris.png' }]);
    expect(plan.newClasses).toEqual(['Tram']);
    expect(plan.annotations.map((a) => [a.classId, a.newClassName, a.polygons])).toEqual([
      [40, null, [[16, 10, 48, 10, 32, 30]]],
      [null, 'Tram', [[0, 0, 32, 0, 32, 20, 0, 20]]],
    ]);
  });
});
