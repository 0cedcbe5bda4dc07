import { describe, expect, it } from 'vitest';
import { buildCocoExport, labelStudioToCoco, planCocoImport, type CocoExportInput, type ExportAnnotation } from '../src/interchange';
import { polygonsArea, polygonsBbox } from '../src/geometry';
import { encodeMask, rleArea, rleToBbox } from '../src/rle';
import { parseCocoFile } from '../src/schema';

const now = new Date('2026-01-02T03:04:05Z');

function crowdMask(h: number, w: number): Uint8Array {
  const m = new Uint8Array(h * w);
  for (let y = 10; y < 20; y++) for (let x = 0; x < 25; x++) if ((x + y) % 3 !== 0) m[y * w + x] = 1;
  return m;
}

/** A project as the web app would load it: ids far from 1, classes ordered differently from their ids. */
function project(): CocoExportInput {
  const ann = (id: number, imageId: number, classId: number, polygons: number[][]): ExportAnnotation => ({
    id,
    imageId,
    classId,
    polygons,
    rle: null,
    bbox: polygonsBbox(polygons),
    area: polygonsArea(polygons),
    iscrowd: 0,
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
    ],
    now,
  };
}

describe('buildCocoExport', () => {
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

    // And each stored annotation equals the project's original (matched by content, ids differ).
    const key = (a: ExportAnnotation) => JSON.stringify([a.imageId, a.classId, a.polygons, a.rle, a.bbox, a.area, a.iscrowd ? 1 : 0]);
    expect(stored.map(key).sort()).toEqual(original.annotations.map(key).sort());
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
