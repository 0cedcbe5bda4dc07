import { describe, expect, it } from 'vitest';
import { encodeMask, maskToCounts } from '../src/rle';
import { CocoFormatError, parseCocoFile, parseCocoResults, safeParseCocoFile } from '../src/schema';

/** A Label Studio–style export: category ids from 0, extra fields, polygon areas from the shoelace formula. */
function labelStudioFile() {
  return {
    info: { description: 'ls export' },
    images: [{ id: 0, width: 40, height: 30, file_name: 'a.jpg', license: 1 }],
    categories: [
      { id: 0, name: 'cat' },
      { id: 1, name: 'dog' },
    ],
    annotations: [
      { id: 1, image_id: 0, category_id: 0, segmentation: [[10, 10, 30, 10, 30, 20, 10, 20]], bbox: [10, 10, 20, 10], area: 200, iscrowd: 0, ignore: 0 },
      // A triangle: shoelace area 50, raster area differs; Label Studio writes the shoelace one.
      { id: 2, image_id: 0, category_id: 1, segmentation: [[0, 0, 10, 0, 0, 10]], bbox: [0, 0, 10, 10], area: 50, iscrowd: 0 },
    ],
  };
}

function issuesOf(json: unknown) {
  const r = safeParseCocoFile(json);
  if (r.ok) throw new Error('expected the file to be rejected');
  return r.issues;
}

describe('COCO file schema', () => {
  it('accepts a Label Studio export with category id 0 and keeps unknown fields', () => {
    const { data, warnings } = parseCocoFile(labelStudioFile());
    expect(warnings).toEqual([]);
    expect(data.categories.map((c) => c.id)).toEqual([0, 1]);
    expect(data.info).toEqual({ description: 'ls export' });
    expect(data.images[0]!.license).toBe(1);
    expect(data.annotations[0]!.ignore).toBe(0);
  });

  it('defaults iscrowd to 0 and reads boolean iscrowd', () => {
    const f = labelStudioFile();
    delete (f.annotations[0] as Partial<(typeof f.annotations)[0]>).iscrowd;
    (f.annotations[1] as Record<string, unknown>).iscrowd = true;
    const { data } = parseCocoFile(f);
    expect(data.annotations.map((a) => a.iscrowd)).toEqual([0, 1]);
  });

  it('points at the exact bad coordinate, RLE field and missing key', () => {
    const f = labelStudioFile() as unknown as { annotations: Record<string, unknown>[]; images: Record<string, unknown>[] };
    f.annotations[1]!.segmentation = [[0, 0, 10, 'x', 0, 10]];
    f.annotations[0]!.segmentation = { size: [30, 40] };
    delete f.images[0]!.file_name;
    const paths = issuesOf(f).map((i) => i.path);
    expect(paths).toContain('annotations[1].segmentation[0][3]');
    expect(paths).toContain('annotations[0].segmentation.counts');
    expect(paths).toContain('images[0].file_name');
  });

  it('rejects odd coordinate counts, negative widths, fractional ids', () => {
    const f = labelStudioFile() as unknown as { annotations: Record<string, unknown>[] };
    f.annotations[0]!.segmentation = [[1, 2, 3, 4, 5, 6, 7]];
    f.annotations[1]!.bbox = [0, 0, -3, 4];
    f.annotations[1]!.id = 2.5;
    const issues = issuesOf(f);
    expect(issues.find((i) => i.path === 'annotations[0].segmentation[0]')?.message).toMatch(/even number/);
    expect(issues.find((i) => i.path === 'annotations[1].bbox[2]')?.message).toMatch(/width/);
    expect(issues.map((i) => i.path)).toContain('annotations[1].id');
  });

  it('reports dangling references and duplicate ids', () => {
    const f = labelStudioFile();
    f.annotations[1]!.image_id = 7;
    f.annotations[1]!.id = 1;
    f.annotations[0]!.category_id = 5;
    const issues = issuesOf(f);
    expect(issues).toContainEqual({ path: 'annotations[1].image_id', message: 'no image with id 7' });
    expect(issues).toContainEqual({ path: 'annotations[0].category_id', message: 'no category with id 5' });
    expect(issues.find((i) => i.path === 'annotations[1].id')?.message).toMatch(/duplicate id 1 \(also annotations\[0\]\)/);
    expect(() => parseCocoFile(f)).toThrow(CocoFormatError);
  });

  it('checks RLE against the image size and its counts against the pixel count', () => {
    const f = labelStudioFile() as unknown as { annotations: Record<string, unknown>[] };
    f.annotations[0]!.segmentation = encodeMask(new Uint8Array(12), 3, 4);
    f.annotations[1]!.segmentation = { size: [30, 40], counts: [5, 5] };
    const issues = issuesOf(f);
    expect(issues.find((i) => i.path === 'annotations[0].segmentation.size')?.message).toMatch(/\[30, 40\]/);
    expect(issues.find((i) => i.path === 'annotations[1].segmentation.counts')?.message).toMatch(/sum to 10/);
  });
});

describe('bbox / area cross-checks', () => {
  it('warns when bbox or area disagree with the segmentation, and names the recomputed values', () => {
    const f = labelStudioFile();
    f.annotations[0]!.bbox = [12, 10, 20, 10];
    f.annotations[0]!.area = 260;
    const { warnings } = parseCocoFile(f);
    expect(warnings).toEqual([
      { path: 'annotations[0].bbox', message: '[12, 10, 20, 10] disagrees with the segmentation\'s [10, 10, 20, 10]' },
      { path: 'annotations[0].area', message: '260 disagrees with the segmentation\'s 200 / 200' },
    ]);
  });

  it('fills a missing bbox and area with what pycocotools computes', () => {
    const f = labelStudioFile() as unknown as { annotations: Record<string, unknown>[] };
    delete f.annotations[0]!.bbox;
    delete f.annotations[0]!.area;
    // Uncompressed crowd RLE: a 2x3 block at x 5..6, y 4..6 of the 30x40 image.
    const mask = new Uint8Array(30 * 40);
    for (let y = 4; y < 7; y++) for (let x = 5; x < 7; x++) mask[y * 40 + x] = 1;
    f.annotations[1] = { id: 2, image_id: 0, category_id: 1, iscrowd: 1, segmentation: { size: [30, 40], counts: maskToCounts(mask, 30, 40) } };
    const { data, warnings } = parseCocoFile(f);
    expect(data.annotations[0]!.bbox).toEqual([10, 10, 20, 10]);
    expect(data.annotations[0]!.area).toBe(200);
    expect(data.annotations[1]!.bbox).toEqual([5, 4, 2, 3]);
    expect(data.annotations[1]!.area).toBe(6);
    expect(warnings.map((w) => w.path)).toEqual(['annotations[0].bbox', 'annotations[0].area', 'annotations[1].bbox', 'annotations[1].area']);
  });

  it('warns about degenerate polygons and annotation id 0', () => {
    const f = labelStudioFile();
    f.annotations[0]!.segmentation = [[10, 10, 30, 10, 30, 20, 10, 20], [1, 1, 2, 2]];
    f.annotations[0]!.id = 0;
    const { warnings } = parseCocoFile(f);
    expect(warnings.map((w) => w.path)).toEqual(['annotations[0].id', 'annotations[0].segmentation[1]']);
    expect(warnings[1]!.message).toMatch(/at least 3 points/);
  });
});

describe('results files', () => {
  it('accepts box and RLE detections and locates bad ones', () => {
    const rle = encodeMask(new Uint8Array(12), 3, 4);
    const ok = parseCocoResults([
      { image_id: 0, category_id: 0, score: 0.9, bbox: [1, 2, 3, 4] },
      { image_id: 0, category_id: 1, score: 0.5, segmentation: rle },
    ]);
    expect(ok[1]!.segmentation).toEqual(rle);
    try {
      parseCocoResults([{ image_id: 0, category_id: 0, score: 0.9, bbox: [1, 2, 3, 4] }, { image_id: 0, category_id: 0, score: 'high', bbox: [1, 2, 3] }, { image_id: 0, category_id: 0, score: 1 }]);
      expect.unreachable();
    } catch (e) {
      const paths = (e as CocoFormatError).issues.map((i) => i.path);
      expect(paths).toEqual(expect.arrayContaining(['[1].score', '[1].bbox', '[2]']));
    }
  });
});
