// Matcher, sampler, target builders and losses of src/train on hand-made cases whose answers follow from
// torchvision 0.14's definitions (the end-to-end comparison with torch is train-parity.test.ts).
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { useBackend } from './model.synth';
import { encodeBoxes } from '../src/ops/box-coder';
import { BELOW_LOW_THRESHOLD as LOW, BETWEEN_THRESHOLDS as MID, matchPredictions } from '../src/train/matcher';
import { balancedSampler, randomChoose, replaySampler, seededRandom } from '../src/train/sampler';
import { maskTargets, resizeMasks, rpnTargets, sampleRoiTargets } from '../src/train/targets';
import { bceWithLogits, fastRcnnLosses, maskLoss, rpnLosses, smoothL1 } from '../src/train/losses';

beforeAll(() => useBackend('cpu'));

describe('matcher', () => {
  const rpn = { highThreshold: 0.7, lowThreshold: 0.3 };

  it('codes predictions by their best quality, thresholds inclusive at the bottom of each band', () => {
    // 2 GT × 6 predictions
    const q = Float32Array.of(
      0.9, 0.7, 0.69, 0.3, 0.29, 0.1,
      0.95, 0.1, 0.2, 0.1, 0.0, 0.8,
    );
    expect(Array.from(matchPredictions(q, 2, rpn))).toEqual([1, 0, MID, MID, LOW, 1]);
  });

  it('low-quality matches: every prediction tying a GT’s best quality is matched to its own best GT', () => {
    const q = Float32Array.of(
      0.5, 0.1, 0.2, 0.5, 0.0, // GT0: best 0.5 at predictions 0 and 3 (a tie)
      0.1, 0.2, 0.6, 0.65, 0.0, // GT1: best 0.65 at prediction 3, which GT1 also wins
    );
    const without = matchPredictions(q, 2, rpn);
    const withLq = matchPredictions(q, 2, { ...rpn, allowLowQualityMatches: true });
    expect(Array.from(without)).toEqual([MID, LOW, MID, MID, LOW]);
    // prediction 0 rescued for GT0; prediction 3 ties GT0's best but its argmax is GT1
    expect(Array.from(withLq)).toEqual([0, LOW, MID, 1, LOW]);
  });

  it('a GT that overlaps nothing rescues every zero-quality prediction (torchvision quirk kept)', () => {
    const q = Float32Array.of(0.8, 0.1, 0.0, 0.0, 0.0, 0.0);
    expect(Array.from(matchPredictions(q, 2, { ...rpn, allowLowQualityMatches: true }))).toEqual([0, 0, 0]);
  });

  it('refuses an image without GT or without predictions', () => {
    expect(() => matchPredictions(new Float32Array(0), 0, rpn)).toThrow(/ground-truth/);
    expect(() => matchPredictions(new Float32Array(0), 2, rpn)).toThrow(/proposal/);
  });
});

describe('balanced sampler', () => {
  const labels = (pos: number, neg: number, ignored: number, cls = 1) =>
    Int32Array.from([...Array(pos).fill(cls), ...Array(neg).fill(0), ...Array(ignored).fill(-1)]).reverse();

  it.each([
    [300, 1000, 50, 256, 0.5, 128, 128],
    [10, 1000, 50, 256, 0.5, 10, 246],
    [500, 20, 0, 256, 0.5, 128, 20],
    [400, 5000, 0, 512, 0.25, 128, 384],
    [40, 40, 0, 10, 0.25, 2, 8], // int(10 · 0.25) = 2
  ])('%i pos / %i neg / %i ignored, %i at %f → %i + %i', (p, n, ig, batch, frac, wantPos, wantNeg) => {
    const l = labels(p, n, ig, 3);
    const s = balancedSampler({ batchSizePerImage: batch, positiveFraction: frac, choose: randomChoose(seededRandom(1)) })(l, 0);
    expect([s.pos.length, s.neg.length]).toEqual([wantPos, wantNeg]);
    expect(new Set(s.pos).size).toBe(wantPos);
    expect(new Set(s.neg).size).toBe(wantNeg);
    expect(Array.from(s.pos).every((i) => l[i]! >= 1)).toBe(true);
    expect(Array.from(s.neg).every((i) => l[i] === 0)).toBe(true);
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const l = labels(200, 2000, 0);
    const draw = (seed: number) => balancedSampler({ batchSizePerImage: 256, positiveFraction: 0.5, choose: randomChoose(seededRandom(seed)) })(l, 0);
    expect(Array.from(draw(7).neg)).toEqual(Array.from(draw(7).neg));
    expect(Array.from(draw(7).neg)).not.toEqual(Array.from(draw(8).neg));
  });

  it('replays recorded draws in call order and rejects ones that do not fit the labels', () => {
    const l = Int32Array.of(1, 0, -1, 2, 0);
    const replay = replaySampler([{ pos: Int32Array.of(3), neg: Int32Array.of(1) }, { pos: Int32Array.of(2), neg: new Int32Array(0) }]);
    expect(Array.from(replay(l, 0).pos)).toEqual([3]);
    expect(() => replay(l, 0)).toThrow(/not a positive/);
    expect(() => replaySampler([{ pos: new Int32Array(0), neg: Int32Array.of(0) }])(l, 0)).toThrow(/not a negative/);
  });
});

describe('targets', () => {
  it('resizeMasks picks source pixels as torch nearest does (150 → 160 rows: floor(d · 0.9375))', () => {
    const src = new Uint8Array(150 * 2);
    src[15 * 2] = 1; // row 15, column 0
    const out = resizeMasks(src, [150, 2], [160, 2]);
    const rows = [...Array(160).keys()].filter((r) => out[r * 2] === 1);
    expect(rows).toEqual([16, 17]);
    const up = resizeMasks(Uint8Array.of(1, 0, 0, 1), [2, 2], [4, 4]);
    expect(Array.from(up)).toEqual([1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1]);
  });

  it('rpnTargets labels anchors 1 / -1 / 0 and encodes positives with (1,1,1,1) weights', () => {
    const gt = Float32Array.of(10, 10, 50, 50);
    const anchors = Float32Array.of(
      10, 10, 50, 50, // IoU 1
      14, 10, 54, 50, // IoU 36/44 = 0.818
      30, 10, 70, 50, // IoU 20/60 = 0.333: between
      100, 100, 140, 140, // no overlap
    );
    const t = rpnTargets(anchors, gt, { fgIouThresh: 0.7, bgIouThresh: 0.3, boxCoderWeights: [1, 1, 1, 1] });
    expect(Array.from(t.labels)).toEqual([1, 1, -1, 0]);
    expect(Array.from(t.regression.subarray(0, 4))).toEqual([0, 0, 0, 0]);
    expect(t.regression[4]).toBeCloseTo(-4 / 40, 6); // dx = (30 − 34) / 40
    expect(Array.from(t.regression.subarray(8))).toEqual(Array(8).fill(0));
    // without a good anchor the best one is rescued
    const weak = rpnTargets(anchors.subarray(8), gt, { fgIouThresh: 0.7, bgIouThresh: 0.3, boxCoderWeights: [1, 1, 1, 1] });
    expect(Array.from(weak.labels)).toEqual([1, 0]);
    expect(Array.from(rpnTargets(anchors, new Float32Array(0), { fgIouThresh: 0.7, bgIouThresh: 0.3, boxCoderWeights: [1, 1, 1, 1] }).labels)).toEqual([0, 0, 0, 0]);
  });

  it('sampleRoiTargets appends GT boxes, labels by IoU 0.5 and keeps ascending candidate order', () => {
    const gt = { boxes: Float32Array.of(0, 0, 20, 20, 40, 40, 80, 80), labels: Int32Array.of(3, 1) };
    const proposals = Float32Array.of(
      42, 40, 82, 80, // IoU 0.905 with GT1
      0, 0, 20, 10, // IoU 0.5 with GT0: foreground (>= 0.5)
      100, 100, 120, 120, // background
    );
    const r = sampleRoiTargets(proposals, gt, { fgIouThresh: 0.5, bgIouThresh: 0.5, boxCoderWeights: [10, 10, 5, 5] },
      (labels) => {
        expect(Array.from(labels)).toEqual([1, 3, 0, 3, 1]);
        return { pos: Int32Array.of(4, 0), neg: Int32Array.of(2) };
      });
    expect(Array.from(r.labels)).toEqual([1, 0, 1]);
    expect(Array.from(r.matchedGt)).toEqual([1, 0, 1]);
    expect(Array.from(r.boxes)).toEqual([42, 40, 82, 80, 100, 100, 120, 120, 40, 40, 80, 80]);
    const want = encodeBoxes(Float32Array.of(40, 40, 80, 80), Float32Array.of(42, 40, 82, 80), [10, 10, 5, 5]);
    expect(Array.from(r.regression.subarray(0, 4))).toEqual(Array.from(want));
    expect(Array.from(r.regression.subarray(8))).toEqual([0, 0, 0, 0]);
  });

  it('maskTargets RoI-aligns the matched GT mask (adaptive sampling, scale 1)', () => {
    // GT 0: all ones; GT 1: left half (columns 0–3) of an 8×8 image
    const masks = new Uint8Array(2 * 64);
    masks.fill(1, 0, 64);
    for (let y = 0; y < 8; y++) masks.fill(1, 64 + y * 8, 64 + y * 8 + 4);
    const t = maskTargets(masks, [8, 8], Float32Array.of(0, 0, 8, 8, 0, 0, 8, 8), Int32Array.of(0, 1), 4);
    expect(Array.from(t.subarray(0, 16))).toEqual(Array(16).fill(1));
    // bins of 2 px with 2 samples each at x = 0.5, 1.5 | 2.5, 3.5 | …; x = 3.5 reads half of column 4
    for (let row = 0; row < 4; row++) expect(Array.from(t.subarray(16 + row * 4, 20 + row * 4))).toEqual([1, 0.75, 0, 0]);
  });
});

describe('losses', () => {
  const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

  it('bceWithLogits equals −(y log σ + (1−y) log(1−σ)) and stays finite for large logits', async () => {
    const x = [-3, -0.5, 0, 0.7, 4, 60, -60];
    const y = [0, 1, 0.5, 1, 0, 0, 0];
    const got = await bceWithLogits(tf.tensor1d(x), tf.tensor1d(y)).data();
    x.slice(0, 5).forEach((v, i) => {
      const p = sigmoid(v);
      expect(got[i]).toBeCloseTo(-(y[i]! * Math.log(p) + (1 - y[i]!) * Math.log(1 - p)), 5);
    });
    expect(got[5]).toBeCloseTo(60, 4);
    expect(got[6]).toBeCloseTo(0, 6);
  });

  it('smoothL1 (β = 1/9) and its gradient on both sides of β', async () => {
    const beta = 1 / 9;
    const d = [-0.5, -0.05, 0, 0.1, 2];
    const f = (v: number) => (Math.abs(v) < beta ? (0.5 * v * v) / beta : Math.abs(v) - 0.5 * beta);
    const got = await smoothL1(tf.tensor1d(d), beta).data();
    d.forEach((v, i) => expect(got[i]).toBeCloseTo(f(v), 6));
    const g = await tf.grad((x: tf.Tensor) => tf.sum(smoothL1(x, beta)))(tf.tensor1d(d)).data();
    expect(Array.from(g).map((v) => Number(v.toFixed(5)))).toEqual([-1, Number((-0.05 / beta).toFixed(5)), 0, Number((0.1 / beta).toFixed(5)), 1]);
  });

  it('rpnLosses count sampled anchors only, box loss over positives / all sampled', async () => {
    const objectness = tf.tensor1d([2, -1, 50, 0.5]); // anchor 2 unsampled with a huge logit
    const deltas = tf.tensor2d([[0.5, 0, 0, 0], [9, 9, 9, 9], [9, 9, 9, 9], [0, 0, 0, 0]]);
    const l = rpnLosses({ objectness, deltas, labels: [1, 0, -1, 0], regression: Float32Array.of(0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), pos: [0], neg: [1, 3] }, 1 / 9);
    const bce = (x: number, y: number) => -(y * Math.log(sigmoid(x)) + (1 - y) * Math.log(1 - sigmoid(x)));
    expect((await l.loss_objectness.data())[0]).toBeCloseTo((bce(2, 1) + bce(-1, 0) + bce(0.5, 0)) / 3, 5);
    // anchor 0: |0.5| and |−1| above β → (0.5 − 1/18) + (1 − 1/18)
    expect((await l.loss_rpn_box_reg.data())[0]).toBeCloseTo((1.5 - 1 / 9) / 3, 5);
  });

  it('fastRcnnLosses: mean cross-entropy; smooth-L1 on the GT class channel of positives / R', async () => {
    const logits = [[2, 0, -1], [0.5, 0.5, 3], [0, 1, 0]];
    const labels = Int32Array.of(0, 2, 1);
    // other classes' deltas are huge: they must not count
    const deltas = [
      [7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7],
      [7, 7, 7, 7, 7, 7, 7, 7, 0.05, 0, 0, 0],
      [7, 7, 7, 7, 1, 0, 0, 0, 7, 7, 7, 7],
    ];
    const l = fastRcnnLosses({ classLogits: tf.tensor2d(logits), boxDeltas: tf.tensor2d(deltas), labels, regression: new Float32Array(12) }, 1 / 9);
    const ce = logits.map((row, i) => Math.log(row.reduce((s, v) => s + Math.exp(v), 0)) - row[labels[i]!]!);
    expect((await l.loss_classifier.data())[0]).toBeCloseTo((ce[0]! + ce[1]! + ce[2]!) / 3, 5);
    expect((await l.loss_box_reg.data())[0]).toBeCloseTo(((0.5 * 0.05 * 0.05) * 9 + (1 - 1 / 18)) / 3, 5);
  });

  it('maskLoss: mean BCE of the GT class channel; zero with zero gradient when there are no positives', async () => {
    const logits = tf.tensor4d([1, -2, 5, 0.3, -1, 4, 0, 0], [2, 2, 1, 2]); // [P=2, 2, 1, C=2]
    const l = maskLoss(logits, Int32Array.of(1, 0), Float32Array.of(1, 0, 1, 1), tf.scalar(0));
    const bce = (x: number, y: number) => -(y * Math.log(sigmoid(x)) + (1 - y) * Math.log(1 - sigmoid(x)));
    expect((await l.data())[0]).toBeCloseTo((bce(-2, 1) + bce(0.3, 0) + bce(-1, 1) + bce(0, 1)) / 4, 5);
    const bias = tf.variable(tf.tensor1d([0.3, -0.2]));
    const { value, grads } = tf.variableGrads(() => maskLoss(null, new Int32Array(0), new Float32Array(0), bias), [bias]);
    expect((await value.data())[0]).toBe(0);
    expect(Array.from(await grads[bias.name]!.data())).toEqual([0, 0]);
  });
});
