import { describe, expect, it } from 'vitest';
import { encodeMask, type Rle } from '../src/rle';
import { polygonsToRle } from '../src/rasterize';
import { reviewPredictions, type ReviewImageInput } from '../src/review';

/** A 4×4 mask from a picture: '#' is set, anything else clear. */
function mask(...rows: string[]): Rle {
  const h = rows.length;
  const w = rows[0]!.length;
  const m = new Uint8Array(h * w);
  rows.forEach((r, y) => [...r].forEach((ch, x) => (m[y * w + x] = ch === '#' ? 1 : 0)));
  return encodeMask(m, h, w);
}

// Image A: ground truth `a` = left half (8 px), `b` = top-right 2×2 (4 px).
const gtA = mask('##..', '##..', '##..', '##..');
const gtB = mask('..##', '..##', '....', '....');
const images: ReviewImageInput[] = [
  {
    imageId: 'A',
    groundTruth: [
      { classId: 'a', rle: gtA },
      { classId: 'b', rle: gtB },
    ],
    predictions: [
      // IoU 6/8 with gtA: a true positive.
      { classId: 'a', score: 0.9, rle: mask('##..', '##..', '##..', '....') },
      // Exactly gtB's pixels but the wrong class: a false positive, and a b→a confusion.
      { classId: 'a', score: 0.8, rle: gtB },
      // Right, but below a 0.5 threshold.
      { classId: 'b', score: 0.3, rle: gtB },
    ],
  },
  // Image B: nothing to find, one prediction → a false positive.
  { imageId: 'B', groundTruth: [], predictions: [{ classId: 'b', score: 0.6, rle: mask('#...', '....', '....', '....') }] },
  // Image C: nothing either way.
  { imageId: 'C', groundTruth: [], predictions: [] },
  // Image D: one missed pixel-sized instance.
  { imageId: 'D', groundTruth: [{ classId: 'a', rle: mask('....', '....', '....', '...#') }], predictions: [] },
];

describe('reviewPredictions', () => {
  it('counts per image, per class and the confusion matrix at threshold 0.5 (hand-computed)', () => {
    const r = reviewPredictions(images, { classIds: ['a', 'b'], scoreThreshold: 0.5 });
    expect(r.images).toEqual([
      { imageId: 'A', tp: 1, fp: 1, fn: 1, errorScore: 2 / 4 },
      { imageId: 'B', tp: 0, fp: 1, fn: 0, errorScore: 1 },
      { imageId: 'C', tp: 0, fp: 0, fn: 0, errorScore: 0 },
      { imageId: 'D', tp: 0, fp: 0, fn: 1, errorScore: 1 },
    ]);
    expect(r.perClass).toEqual([
      { classId: 'a', tp: 1, fp: 1, fn: 1, precision: 0.5, recall: 0.5 },
      { classId: 'b', tp: 0, fp: 1, fn: 1, precision: 0, recall: 0 },
    ]);
    // Rows: gt a, gt b, background; columns: predicted a, predicted b, missed.
    expect(r.confusion).toEqual({
      classIds: ['a', 'b'],
      matrix: [
        [1, 0, 1],
        [1, 0, 0],
        [0, 1, 0],
      ],
    });
  });

  it('lets a lower threshold bring in the low-scoring prediction; the class-agnostic match then has nothing left for it', () => {
    const r = reviewPredictions(images.slice(0, 1), { classIds: ['a', 'b'], scoreThreshold: 0.2 });
    expect(r.images).toEqual([{ imageId: 'A', tp: 2, fp: 1, fn: 0, errorScore: 1 / 5 }]);
    expect(r.perClass.map((c) => [c.precision, c.recall])).toEqual([
      [0.5, 1],
      [1, 1],
    ]);
    // Greedy by score: 0.9 → gt a, 0.8 → gt b (IoU 1), 0.3 finds both taken → background row.
    expect(r.confusion.matrix).toEqual([
      [1, 0, 0],
      [1, 0, 0],
      [0, 1, 0],
    ]);
  });

  it('matches at IoU exactly 0.5 and not just below it', () => {
    const gt = mask('####', '....', '....', '....');
    const half = mask('##..', '....', '....', '....'); // 2/4 = 0.5
    const under = mask('##..', '....', '....', '#...'); // 2/5 = 0.4
    const run = (rle: Rle) => reviewPredictions([{ imageId: 'x', groundTruth: [{ classId: 'a', rle: gt }], predictions: [{ classId: 'a', score: 1, rle }] }], { classIds: ['a'], scoreThreshold: 0 }).images[0]!;
    expect(run(half)).toMatchObject({ tp: 1, fp: 0, fn: 0 });
    expect(run(under)).toMatchObject({ tp: 0, fp: 1, fn: 1 });
  });

  it('gives each ground truth to the higher-scoring prediction only (a duplicate is a false positive)', () => {
    const r = reviewPredictions(
      [{ imageId: 'x', groundTruth: [{ classId: 'a', rle: gtA }], predictions: [{ classId: 'a', score: 0.7, rle: gtA }, { classId: 'a', score: 0.9, rle: gtA }] }],
      { classIds: ['a'], scoreThreshold: 0 },
    );
    expect(r.images[0]).toEqual({ imageId: 'x', tp: 1, fp: 1, fn: 0, errorScore: 1 / 3 });
    expect(r.confusion.matrix).toEqual([
      [1, 0],
      [1, 0],
    ]);
  });

  it('never misses a crowd region and ignores predictions inside one', () => {
    const crowd = mask('####', '####', '....', '....');
    const r = reviewPredictions(
      [{ imageId: 'x', groundTruth: [{ classId: 'a', rle: crowd, iscrowd: true }], predictions: [{ classId: 'a', score: 0.9, rle: mask('#...', '....', '....', '....') }, { classId: 'a', score: 0.8, rle: mask('....', '....', '....', '####') }] }],
      { classIds: ['a'], scoreThreshold: 0 },
    );
    expect(r.images[0]).toEqual({ imageId: 'x', tp: 0, fp: 1, fn: 0, errorScore: 1 });
    expect(r.confusion.matrix).toEqual([
      [0, 0],
      [1, 0],
    ]);
  });

  it('leaves out classes not asked for, and takes polygon ground truth rasterised with polygonsToRle', () => {
    const poly = polygonsToRle([[0, 0, 2, 0, 2, 4, 0, 4]], 4, 4); // the left half, as gtA
    const r = reviewPredictions([{ imageId: 'A', groundTruth: [{ classId: 'a', rle: poly }, { classId: 'b', rle: gtB }], predictions: images[0]!.predictions }], {
      classIds: ['a'],
      scoreThreshold: 0.5,
    });
    expect(r.images).toEqual([{ imageId: 'A', tp: 1, fp: 1, fn: 0, errorScore: 1 / 3 }]);
    expect(r.perClass).toEqual([{ classId: 'a', tp: 1, fp: 1, fn: 0, precision: 0.5, recall: 1 }]);
    expect(r.confusion.matrix).toEqual([
      [1, 0],
      [1, 0],
    ]);
  });

  it('answers null precision and recall where nothing was predicted or present', () => {
    const r = reviewPredictions([{ imageId: 'C', groundTruth: [], predictions: [] }], { classIds: ['a'], scoreThreshold: 0.5 });
    expect(r.perClass).toEqual([{ classId: 'a', tp: 0, fp: 0, fn: 0, precision: null, recall: null }]);
  });
});
