import { describe, expect, it } from 'vitest';
import { LabelStudioFormatError, labelStudioToCoco } from '../src/interchange';
import { parseCocoFile } from '../src/schema';

const W = 640;
const H = 480;

function polygon(points: [number, number][], label: string, extra: Record<string, unknown> = {}) {
  return { id: 'p', type: 'polygonlabels', from_name: 'label', to_name: 'image', original_width: W, original_height: H, image_rotation: 0, value: { points, polygonlabels: [label], closed: true }, ...extra };
}

function rectangle(x: number, y: number, width: number, height: number, label: string, rotation = 0) {
  return { id: 'r', type: 'rectanglelabels', from_name: 'box', to_name: 'image', original_width: W, original_height: H, value: { x, y, width, height, rotation, rectanglelabels: [label] } };
}

/** Shaped as Label Studio 1.x's "JSON" export. */
function exportFile() {
  return [
    {
      id: 11,
      data: { image: '/data/upload/3/1a2b3c4d-street%201.jpg' },
      annotations: [
        // Older, superseded annotation.
        { id: 1, was_cancelled: false, created_at: '2024-05-01T10:00:00Z', updated_at: '2024-05-01T10:00:00Z', result: [rectangle(0, 0, 10, 10, 'Car')] },
        {
          id: 2,
          was_cancelled: false,
          created_at: '2024-05-02T10:00:00Z',
          updated_at: '2024-05-03T10:00:00Z',
          result: [polygon([[10, 10], [50, 10], [50, 50]], 'Person'), rectangle(25, 50, 50, 25, 'Car'), { type: 'choices', value: { choices: ['day'] } }],
        },
        // Newest but cancelled (skipped).
        { id: 3, was_cancelled: true, created_at: '2024-05-04T10:00:00Z', updated_at: '2024-05-04T10:00:00Z', result: [rectangle(0, 0, 1, 1, 'Bike')] },
      ],
      predictions: [],
    },
    {
      id: 12,
      data: { image: 'http://localhost:8080/data/upload/3/0badf00d-street2.jpg' },
      annotations: [{ id: 4, was_cancelled: false, updated_at: '2024-05-02T00:00:00Z', result: [rectangle(10, 10, 20, 20, 'Car', 30), polygon([[0, 0], [100, 0], [100, 100], [0, 100]], 'Car')] }],
    },
  ];
}

describe('labelStudioToCoco', () => {
  it('converts the latest non-cancelled annotation, scaling percent to pixels', () => {
    const { coco, warnings } = labelStudioToCoco(exportFile());
    expect(coco.images).toEqual([
      { id: 1, width: W, height: H, file_name: 'street 1.jpg' },
      { id: 2, width: W, height: H, file_name: 'street2.jpg' },
    ]);
    expect(coco.categories.map((c) => [c.id, c.name])).toEqual([
      [1, 'Person'],
      [2, 'Car'],
    ]);
    const [person, car, fullCar] = coco.annotations;
    expect(coco.annotations).toHaveLength(3);
    expect(person).toMatchObject({ id: 1, image_id: 1, category_id: 1, iscrowd: 0, segmentation: [[64, 48, 320, 48, 320, 240]] });
    expect(person!.bbox).toEqual([64, 48, 256, 192]);
    expect(person!.area).toBeCloseTo((256 * 192) / 2, 6);
    expect(car).toMatchObject({ image_id: 1, category_id: 2, segmentation: [[160, 240, 480, 240, 480, 360, 160, 360]], bbox: [160, 240, 320, 120], area: 320 * 120 });
    expect(fullCar).toMatchObject({ image_id: 2, category_id: 2, bbox: [0, 0, W, H], area: W * H });
    expect(warnings.map((w) => w.path)).toEqual(['[0].annotations[1].result[2].type', '[1].annotations[0].result[0].value.rotation']);
    expect(warnings[1]!.message).toMatch(/rotated rectangle \(30°\)/);
  });

  it('writes a file that parses as COCO without warnings', () => {
    const { coco } = labelStudioToCoco(exportFile());
    const { data, warnings } = parseCocoFile(coco);
    expect(warnings).toEqual([]);
    expect(data.annotations).toHaveLength(3);
  });

  it('falls back to sizeOf for a task without results and skips images of unknown size', () => {
    const tasks = [
      { data: { image: '/data/upload/1/aaaaaaaa-a.jpg' }, annotations: [] },
      { data: { image: '/data/upload/1/bbbbbbbb-b.jpg' }, annotations: [] },
    ];
    const { coco, warnings } = labelStudioToCoco(tasks, { sizeOf: (name) => (name === 'a.jpg' ? { width: 30, height: 20 } : undefined) });
    expect(coco.images).toEqual([{ id: 1, width: 30, height: 20, file_name: 'a.jpg' }]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ path: '[1]' });
    expect(warnings[0]!.message).toContain('b.jpg');
  });

  it('reads another data key and reports an all-cancelled task', () => {
    const tasks = [{ data: { photo: 'x/y/z.png' }, annotations: [{ was_cancelled: true, result: [polygon([[0, 0], [10, 0], [0, 10]], 'A')] }] }];
    const { coco, warnings } = labelStudioToCoco(tasks, { imageKey: 'photo', sizeOf: () => ({ width: 10, height: 10 }) });
    expect(coco.images[0]!.file_name).toBe('z.png');
    expect(coco.annotations).toEqual([]);
    expect(warnings[0]!.message).toMatch(/cancelled/);
  });

  it('reads the "completions" of pre-1.0 exports', () => {
    const tasks = [{ data: { image: 'a.jpg' }, completions: [{ result: [rectangle(10, 10, 50, 50, 'A')] }] }];
    const { coco } = labelStudioToCoco(tasks);
    expect(coco.annotations.map((a) => a.bbox)).toEqual([[64, 48, 320, 240]]);
  });

  it('clips points dragged past the edge, with a warning', () => {
    const tasks = [{ data: { image: 'a.jpg' }, annotations: [{ result: [polygon([[-2, 0], [105, 0], [50, 50]], 'A')] }] }];
    const { coco, warnings } = labelStudioToCoco(tasks);
    expect(coco.annotations[0]!.segmentation).toEqual([[0, 0, W, 0, W / 2, H / 2]]);
    expect(warnings.map((w) => w.message)).toEqual(['extends past the image; clipped to it']);
  });

  it('rejects malformed input with every problem and its path', () => {
    const bad = [
      { data: { image: 'a.jpg' }, annotations: [{ result: [polygon([[10, 'x' as unknown as number], [1, 1], [2, 2]], 'A')] }] },
      { data: {}, annotations: [] },
      { data: { image: 'c.jpg' }, annotations: [{ result: [rectangle(1, 1, -5, 5, 'B')] }] },
    ];
    let err: unknown;
    try {
      labelStudioToCoco(bad);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LabelStudioFormatError);
    const paths = (err as LabelStudioFormatError).issues.map((i) => i.path);
    expect(paths).toEqual(['[0].annotations[0].result[0].value.points[0][1]', '[1].data.image', '[2].annotations[0].result[0].value.width']);
  });

  it('rejects a non-array and tasks without data', () => {
    expect(() => labelStudioToCoco({ images: [] })).toThrow(LabelStudioFormatError);
    try {
      labelStudioToCoco([{ annotations: [] }]);
    } catch (e) {
      expect((e as LabelStudioFormatError).issues[0]!.path).toBe('[0].data');
    }
    expect.assertions(2);
  });
});
