// End-to-end inference of the tiny torchvision-layout model (synthetic weights, two images of different
// sizes) against torchvision's eval-mode forward: test/model-inference-ref.json (fixtures/make_model_keys.py).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-cpu';
import keys from './model-keys.json';
import refJson from './model-inference-ref.json';
import { matchBoxes, relError, synthImage, synthWeight, useBackend, type Packed } from './model.synth';
import { makeConfig } from '../src/config/presets';
import { MaskRCNN } from '../src/model/maskrcnn';
import { extractFeatures } from '../src/model/network';
import { transformImages } from '../src/ops/transform';
import type { InferenceOutput } from '../src/model/inference';
import type { StateDictTensor } from '../src/model/params';

interface RefDetections { boxes: Packed; scores: Packed; labels: number[] }
const ref = refJson as unknown as {
  batchShape: number[]; imageSizes: [number, number][]; fpnChannelMeans: Packed[]; fpnP4P5P6: Packed[];
  proposals: Packed[]; proposalScores: Packed[];
  detections: (RefDetections & { maskProbs: Packed })[];
  final: (RefDetections & { size: [number, number]; masksRle: number[][] })[];
};
const cfg = makeConfig('torchvision-tiny', { transform: { minSize: 96, maxSize: 128 } });

function rleDecode(runs: number[], n: number): Uint8Array {
  const out = new Uint8Array(n);
  let o = 0;
  runs.forEach((r, i) => { if (i % 2 === 1) out.fill(1, o, o + r); o += r; });
  return out;
}

function maskIou(probs: ArrayLike<number>, b: Uint8Array): number {
  let inter = 0, union = 0;
  for (let i = 0; i < b.length; i++) { const x = (probs[i] ?? 0) > 0.5 ? 1 : 0; inter += x & b[i]!; union += x | b[i]!; }
  return union === 0 ? 1 : inter / union;
}

// wasm only: the batch logic is backend-independent, and model-fixture.test.ts covers the cpu backend end to end.
describe.each(['wasm'])('tiny Mask R-CNN inference (two images) on %s', (backend) => {
  let model: MaskRCNN;
  let images: tf.Tensor3D[];
  let out: InferenceOutput;

  beforeAll(async () => {
    await useBackend(backend);
    const sd = new Map<string, StateDictTensor>((keys.tiny as [string, number[]][]).map(([k, s]) => [k, synthWeight(k, s)]));
    model = MaskRCNN.fromStateDict(cfg, sd);
    images = [synthImage(0, 100, 130), synthImage(1, 90, 70)];
    out = await model.detect(images);
  });
  afterAll(() => {
    tf.dispose(images);
    model.dispose();
  });

  it('transform and FPN features (1e-4 relative)', async () => {
    expect(out.trace.batchShape).toEqual(ref.batchShape);
    expect(out.trace.imageSizes).toEqual(ref.imageSizes);
    const batch = transformImages(images, cfg.transform);
    const feats = extractFeatures(model.body, model.params, batch.images);
    for (let i = 0; i < 5; i++) {
      expect(relError(await tf.mean(feats[i]!, [0, 1, 2]).data(), ref.fpnChannelMeans[i]!.data), `P${i + 2} means`).toBeLessThan(1e-4);
    }
    for (let i = 2; i < 5; i++) expect(relError(await feats[i]!.data(), ref.fpnP4P5P6[i - 2]!.data), `P${i + 2}`).toBeLessThan(1e-4);
    tf.dispose([batch.images, ...feats]);
  });

  it('proposals: every torchvision proposal found within 0.5 px, scores within 1e-3', () => {
    ref.proposals.forEach((p, i) => {
      const got = out.trace.proposals[i]!;
      expect(got.scores.length, `image ${i} count`).toBe(p.shape[0]);
      const m = matchBoxes(got.boxes, p.data, 0.5);
      expect(m.fraction, `image ${i} matched`).toBe(1);
      for (const [a, b] of m.pairs) expect(Math.abs(got.scores[b]! - ref.proposalScores[i]!.data[a]!)).toBeLessThan(1e-3);
    });
  });

  it('detections: boxes within 0.5 px, scores within 1e-3, labels equal, 28×28 masks within 1e-3', () => {
    ref.detections.forEach((d, i) => {
      const got = out.trace.detections[i]!;
      expect(got.scores.length, `image ${i} count`).toBe(d.labels.length);
      const m = matchBoxes(got.boxes, d.boxes.data, 0.5, got.labels, d.labels);
      expect(m.fraction, `image ${i} matched`).toBe(1);
      const mm = 28 * 28;
      for (const [a, b] of m.pairs) {
        expect(Math.abs(got.scores[b]! - d.scores.data[a]!)).toBeLessThan(1e-3);
        if (a < d.maskProbs.shape[0]!) {
          const mine = out.trace.maskProbs[i]!.subarray(b * mm, (b + 1) * mm);
          expect(relError(mine, d.maskProbs.data.slice(a * mm, (a + 1) * mm)), `image ${i} mask ${a}`).toBeLessThan(1e-3);
        }
      }
    });
  });

  it('final boxes in original coordinates and pasted masks (IoU >= 0.98)', () => {
    ref.final.forEach((f, i) => {
      const got = out.results[i]!;
      expect([got.height, got.width]).toEqual(f.size);
      const m = matchBoxes(got.boxes, f.boxes.data, 0.5, got.labels, f.labels);
      expect(m.fraction, `image ${i} matched`).toBe(1);
      const px = got.height * got.width;
      for (const [a, b] of m.pairs) {
        expect(maskIou(got.masks.subarray(b * px, (b + 1) * px), rleDecode(f.masksRle[a]!, px)), `image ${i} mask ${a}`).toBeGreaterThanOrEqual(0.98);
      }
    });
  });
});
