import { describe, expect, it } from 'vitest';
import { cocoEvaluate, formatSummary, type CocoResult } from '../src/eval';
import { encodeMask } from '../src/rle';
import { parseCocoFile, parseCocoResults } from '../src/schema';

type Box = [number, number, number, number];
interface GtSpec { image: number; cat: number; box: Box; crowd?: boolean }

/** Ground truth with box-shaped polygons, so bbox and segm evaluations see the same shapes. */
function groundTruth(specs: GtSpec[], images = [1, 2], size = 300) {
  return parseCocoFile({
    images: images.map((id) => ({ id, width: size, height: size, file_name: `${id}.jpg` })),
    categories: [{ id: 1, name: 'a' }, { id: 2, name: 'b' }],
    annotations: specs.map((s, i) => {
      const [x, y, w, h] = s.box;
      return { id: i + 1, image_id: s.image, category_id: s.cat, bbox: s.box, area: w * h, iscrowd: s.crowd ? 1 : 0, segmentation: [[x, y, x + w, y, x + w, y + h, x, y + h]] };
    }),
  }).data;
}

const det = (image: number, cat: number, box: Box, score: number): CocoResult => ({ image_id: image, category_id: cat, bbox: box, score });

/** AP at one IoU threshold when precision is 1 up to recall `r` and 0 after: points 0, .01, ..., r. */
const stepAp = (r: number) => (Math.round(r * 100) + 1) / 101;

describe('COCO evaluation, bbox', () => {
  const gts: GtSpec[] = [
    { image: 1, cat: 1, box: [10, 10, 20, 20] }, // 400 px: small
    { image: 1, cat: 2, box: [50, 50, 100, 100] }, // 10000: large
    { image: 2, cat: 1, box: [0, 0, 40, 40] }, // 1600: medium
  ];

  it('scores perfect detections 1 everywhere', () => {
    const r = cocoEvaluate(groundTruth(gts), gts.map((g, i) => det(g.image, g.cat, g.box, 0.9 - i * 0.1)), { iouType: 'bbox' });
    // Precision is tp / (tp + fp + eps) as in COCOeval, so a perfect AP is 1 - 1e-16, not 1.
    for (const v of r.stats) expect(v).toBeCloseTo(1, 12);
    expect(r.stats.slice(6)).toEqual(new Array(6).fill(1)); // recall has no eps
    expect(r.perCategory.map((c) => [c.categoryId, c.name, c.ap])).toEqual([[1, 'a', expect.closeTo(1, 12)], [2, 'b', expect.closeTo(1, 12)]]);
  });

  it('reports -1 for an area range without ground truth', () => {
    const some = gts.slice(0, 2);
    const r = cocoEvaluate(groundTruth(some), some.map((g) => det(g.image, g.cat, g.box, 0.5)), { iouType: 'bbox' });
    expect(r.summary.APm).toBe(-1);
    expect(r.summary.ARm).toBe(-1);
    expect(r.summary.APs).toBeCloseTo(1, 12);
    expect(r.summary.APl).toBeCloseTo(1, 12);
  });

  it('gives AR 0.5 and the matching step AP when one of two objects is missed', () => {
    const two: GtSpec[] = [{ image: 1, cat: 1, box: [10, 10, 50, 50] }, { image: 1, cat: 1, box: [100, 100, 50, 50] }];
    const r = cocoEvaluate(groundTruth(two), [det(1, 1, two[0]!.box, 0.9)], { iouType: 'bbox' });
    expect(r.summary.AR100).toBe(0.5);
    expect(r.summary.AP).toBeCloseTo(stepAp(0.5), 12); // 51/101
    // The category with no ground truth at all is left out of the means rather than counted as 0.
    expect(r.perCategory[1]!.ap).toBe(-1);
  });

  it('lowers precision after a duplicate, at the recall where it occurs', () => {
    const two: GtSpec[] = [{ image: 1, cat: 1, box: [10, 10, 50, 50] }, { image: 1, cat: 1, box: [100, 100, 50, 50] }];
    const dets = [det(1, 1, two[0]!.box, 0.9), det(1, 1, two[0]!.box, 0.8), det(1, 1, two[1]!.box, 0.7)];
    const r = cocoEvaluate(groundTruth(two), dets, { iouType: 'bbox' });
    // TP, FP, TP: precision 1 up to recall .5, then 2/3 (interpolated over the FP) up to recall 1.
    const prec = r.accumulated.precision[0]!.map((byK) => byK[0]![0]![2]!);
    for (const v of prec.slice(0, 51)) expect(v).toBeCloseTo(1, 12);
    for (const v of prec.slice(51)) expect(v).toBeCloseTo(2 / 3, 12);
    expect(r.summary.AP).toBeCloseTo((51 + 50 * (2 / 3)) / 101, 12);
    expect(r.summary.AR100).toBe(1);
    // The same duplicate ranked last costs nothing: recall 1 is reached before it.
    const late = cocoEvaluate(groundTruth(two), [dets[0]!, { ...dets[1]!, score: 0.1 }, dets[2]!], { iouType: 'bbox' });
    expect(late.summary.AP).toBeCloseTo(1, 12);
  });

  it('orders by score: a false positive ranked above the true one halves precision', () => {
    const one: GtSpec[] = [{ image: 1, cat: 1, box: [10, 10, 50, 50] }];
    const good = det(1, 1, one[0]!.box, 0.6);
    const bad = det(1, 1, [200, 200, 30, 30], 0.5);
    expect(cocoEvaluate(groundTruth(one), [good, bad], { iouType: 'bbox' }).summary.AP).toBeCloseTo(1, 12);
    const r = cocoEvaluate(groundTruth(one), [good, { ...bad, score: 0.7 }], { iouType: 'bbox' });
    expect(r.summary.AP).toBeCloseTo(0.5, 12); // FP then TP: precision 1/2 at every recall
    expect(r.summary.AR1).toBe(0); // only the top detection per image counts at maxDets 1
    expect(r.summary.AR10).toBe(1);
  });

  it('ignores detections inside a crowd region, however many, and leaves crowds out of recall', () => {
    const specs: GtSpec[] = [{ image: 1, cat: 1, box: [0, 0, 100, 100], crowd: true }, { image: 1, cat: 1, box: [150, 150, 40, 40] }];
    const dets = [det(1, 1, [10, 10, 20, 20], 0.9), det(1, 1, [50, 50, 20, 20], 0.85), det(1, 1, [150, 150, 40, 40], 0.8)];
    const r = cocoEvaluate(groundTruth(specs), dets, { iouType: 'bbox' });
    expect(r.summary.AP).toBeCloseTo(1, 12);
    expect(r.summary.AR100).toBe(1);
    // An undetected crowd does not lower recall either.
    expect(cocoEvaluate(groundTruth(specs), [dets[2]!], { iouType: 'bbox' }).summary.AR100).toBe(1);
    // Without the crowd flag the same region is an ordinary object the first detections fail to hit.
    const plain = cocoEvaluate(groundTruth(specs.map((s) => ({ ...s, crowd: false }))), dets, { iouType: 'bbox' });
    expect(plain.summary.AR100).toBe(0.5);
    expect(plain.summary.AP).toBeLessThan(0.5);
  });

  it('keeps a match with a real object rather than move it to an overlapping crowd', () => {
    const specs: GtSpec[] = [{ image: 1, cat: 1, box: [0, 0, 100, 100], crowd: true }, { image: 1, cat: 1, box: [0, 0, 60, 60] }];
    // IoU 1 with the object and (crowd rule: intersection / detection area) 1 with the crowd.
    const r = cocoEvaluate(groundTruth(specs), [det(1, 1, [0, 0, 60, 60], 0.9)], { iouType: 'bbox' });
    expect(r.summary.AR100).toBe(1);
  });

  it('counts an IoU exactly at a threshold as a match', () => {
    const one: GtSpec[] = [{ image: 1, cat: 1, box: [0, 0, 50, 50] }];
    // IoU = 50*40 / 50*50 = 0.8: matched at .50 ... .80 (7 thresholds), missed at .85, .90, .95.
    const r = cocoEvaluate(groundTruth(one), [det(1, 1, [0, 0, 50, 40], 0.9)], { iouType: 'bbox' });
    expect(r.summary.AP).toBeCloseTo(0.7, 12);
    expect(r.summary.AP50).toBeCloseTo(1, 12);
    expect(r.summary.AP75).toBeCloseTo(1, 12);
  });

  it('ignores detections matched to, or sized outside, another area range', () => {
    const specs: GtSpec[] = [{ image: 1, cat: 1, box: [0, 0, 120, 120] }, { image: 1, cat: 1, box: [200, 200, 10, 10] }];
    // A spurious large box scores highest; the small object is found; the large one is missed.
    const dets = [det(1, 1, [150, 0, 100, 100], 0.95), det(1, 1, [200, 200, 10, 10], 0.9)];
    const r = cocoEvaluate(groundTruth(specs), dets, { iouType: 'bbox' });
    // Small range: the large object is ignored, the unmatched large box is not a small-range FP.
    expect(r.summary.APs).toBeCloseTo(1, 12);
    expect(r.summary.ARs).toBe(1);
    // Large range: the small hit matched an ignored (small) object, so only the FP is left.
    expect(r.summary.APl).toBe(0);
    expect(r.summary.ARl).toBe(0);
    // All areas: FP then TP, recall 1/2.
    expect(r.summary.AP).toBeCloseTo(0.5 * stepAp(0.5), 12);
    expect(r.summary.AR100).toBe(0.5);
  });

  it('ranks detections across images by score', () => {
    const specs: GtSpec[] = [{ image: 1, cat: 1, box: [0, 0, 50, 50] }, { image: 2, cat: 1, box: [0, 0, 50, 50] }];
    // FP (image 2), TP (image 1), TP (image 2): interpolated precision 2/3 at every recall.
    const dets = [det(2, 1, [100, 100, 50, 50], 0.9), det(1, 1, [0, 0, 50, 50], 0.8), det(2, 1, [0, 0, 50, 50], 0.7)];
    expect(cocoEvaluate(groundTruth(specs), dets, { iouType: 'bbox' }).summary.AP).toBeCloseTo(2 / 3, 12);
  });

  it('keeps only the top 100 detections per image and category', () => {
    const one: GtSpec[] = [{ image: 1, cat: 1, box: [0, 0, 50, 50] }];
    const noise = Array.from({ length: 100 }, (_, i) => det(1, 1, [100 + i, 100, 10, 10], 0.5 + i / 1000));
    expect(cocoEvaluate(groundTruth(one), [...noise, det(1, 1, [0, 0, 50, 50], 0.4)], { iouType: 'bbox' }).summary.AR100).toBe(0);
    expect(cocoEvaluate(groundTruth(one), [...noise.slice(1), det(1, 1, [0, 0, 50, 50], 0.4)], { iouType: 'bbox' }).summary.AR100).toBe(1);
  });

  it('rejects results for unknown images and prints the usual table', () => {
    expect(() => cocoEvaluate(groundTruth(gts), [det(9, 1, [0, 0, 1, 1], 1)], { iouType: 'bbox' })).toThrow(/image_id 9/);
    const text = formatSummary([0.5, ...new Array(11).fill(-1)]);
    expect(text.split('\n')[0]).toBe(' Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.500');
    expect(text.split('\n')).toHaveLength(12);
  });

  it('takes a parsed results file; box-only results become box masks in segm', () => {
    const one: GtSpec[] = [{ image: 1, cat: 1, box: [0, 0, 60, 60] }];
    const parsed = parseCocoResults(JSON.parse(JSON.stringify([det(1, 1, [0, 0, 60, 60], 0.9)])));
    expect(cocoEvaluate(groundTruth(one), parsed, { iouType: 'segm' }).summary.AP).toBeCloseTo(1, 12);
  });

  it('scores every category 0 when there are no detections', () => {
    const r = cocoEvaluate(groundTruth(gts), [], { iouType: 'bbox' });
    expect(r.summary.AP).toBe(0);
    expect(r.summary.AR100).toBe(0);
  });
});

describe('COCO evaluation, segm', () => {
  const size = 300;
  function blockMask(x0: number, y0: number, w: number, h: number) {
    const m = new Uint8Array(size * size);
    for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) m[y * size + x] = 1;
    return encodeMask(m, size, size);
  }

  it('rasterises ground-truth polygons and compares them with RLE detections', () => {
    const gt = groundTruth([{ image: 1, cat: 1, box: [10, 10, 50, 50] }, { image: 2, cat: 2, box: [100, 20, 40, 60] }]);
    const exact: CocoResult[] = [
      { image_id: 1, category_id: 1, score: 0.9, segmentation: blockMask(10, 10, 50, 50) },
      { image_id: 2, category_id: 2, score: 0.8, segmentation: blockMask(100, 20, 40, 60) },
    ];
    expect(cocoEvaluate(gt, exact, { iouType: 'segm' }).summary.AP).toBeCloseTo(1, 12);
    // Mask IoU 0.8 (50x40 inside 50x50) on the first object: 7 of 10 thresholds for category 1.
    const partial = [{ ...exact[0]!, segmentation: blockMask(10, 10, 50, 40) }, exact[1]!];
    const r = cocoEvaluate(gt, partial, { iouType: 'segm' });
    expect(r.perCategory.map((c) => c.ap)).toEqual([expect.closeTo(0.7, 12), expect.closeTo(1, 12)]);
    expect(r.summary.AP).toBeCloseTo(0.85, 12);
  });

  it('names a ground truth without a segmentation, even in an image with no detection to compare', () => {
    const gt = parseCocoFile({
      images: [{ id: 1, width: size, height: size, file_name: '1.jpg' }, { id: 2, width: size, height: size, file_name: '2.jpg' }],
      categories: [{ id: 1, name: 'a' }],
      annotations: [
        { id: 1, image_id: 1, category_id: 1, bbox: [0, 0, 10, 10], area: 100, segmentation: [[0, 0, 10, 0, 10, 10, 0, 10]] },
        { id: 2, image_id: 2, category_id: 1, bbox: [0, 0, 10, 10], area: 100 },
      ],
    }).data;
    const dets: CocoResult[] = [{ image_id: 1, category_id: 1, score: 0.9, segmentation: blockMask(0, 0, 10, 10) }];
    expect(() => cocoEvaluate(gt, dets, { iouType: 'segm' })).toThrow("ground truth 0 of image 2, category 1 has no segmentation (needed for iouType 'segm')");
    expect(cocoEvaluate(gt, dets, { iouType: 'bbox' }).stats[0]).toBeCloseTo(stepAp(0.5), 12); // one of two objects found
  });

  it('uses the crowd rule for masks: a detection inside a crowd mask is ignored', () => {
    const gt = groundTruth([{ image: 1, cat: 1, box: [0, 0, 100, 100], crowd: true }, { image: 1, cat: 1, box: [150, 150, 40, 40] }]);
    const dets: CocoResult[] = [
      { image_id: 1, category_id: 1, score: 0.9, segmentation: blockMask(20, 20, 10, 10) },
      { image_id: 1, category_id: 1, score: 0.5, segmentation: blockMask(150, 150, 40, 40) },
    ];
    expect(cocoEvaluate(gt, dets, { iouType: 'segm' }).summary.AP).toBeCloseTo(1, 12);
  });
});
