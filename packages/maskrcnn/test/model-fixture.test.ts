// Stage parity with the torchvision fixture (test/fixtures/tiny: real torchvision-initialised weights, a
// real image, and torchvision's intermediates), loaded through src/weights.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-cpu';
import { matchBoxes, relError, useBackend } from './model.synth';
import { readWeights, type StateDict, type TensorEntry } from '../src/weights/index';
import { makeConfig } from '../src/config/presets';
import { MaskRCNN } from '../src/model/maskrcnn';
import { extractFeatures } from '../src/model/network';
import { transformImages } from '../src/ops/transform';
import type { InferenceOutput } from '../src/model/inference';

const read = (f: string): StateDict => readWeights(new Uint8Array(readFileSync(new URL(`./fixtures/tiny/${f}`, import.meta.url))));
const weights = read('tiny_maskrcnn.safetensors.gz');
const ref = read('reference.safetensors.gz');
const cfg = makeConfig('torchvision-tiny');

function tensor(name: string): TensorEntry {
  const t = ref.get(name);
  if (!t) throw new Error(`reference has no ${name}`);
  return t;
}
const f32 = (name: string): Float32Array => tensor(name).data as Float32Array;
/** A reference NCHW map as NHWC values. */
async function nhwc(name: string): Promise<Float32Array> {
  const t = tensor(name);
  const x = tf.transpose(tf.tensor(t.data as Float32Array, t.shape), [0, 2, 3, 1]);
  const d = (await x.data()) as Float32Array;
  x.dispose();
  return d;
}

describe.each(['cpu', 'wasm'])('torchvision fixture parity on %s', (backend) => {
  let model: MaskRCNN;
  let image: tf.Tensor3D;
  let out: InferenceOutput;

  beforeAll(async () => {
    await useBackend(backend);
    model = MaskRCNN.fromStateDict(cfg, weights);
    const im = tensor('image');
    image = tf.tidy(() => tf.div(tf.tensor3d(Float32Array.from(im.data as Uint8Array), im.shape as [number, number, number]), 255));
    out = await model.detect([image]);
  });
  afterAll(() => {
    image.dispose();
    model.dispose();
  });

  it('FPN features P2–P6 within 1e-4 relative', async () => {
    const batch = transformImages([image], cfg.transform);
    expect(relError(await batch.images.data(), await nhwc('images'))).toBeLessThan(1e-5);
    const feats = extractFeatures(model.body, model.params, batch.images);
    const names = ['0', '1', '2', '3', 'pool'];
    for (let i = 0; i < 5; i++) {
      expect(relError(await feats[i]!.data(), await nhwc(`features.${names[i]}`)), `P${i + 2}`).toBeLessThan(1e-4);
    }
    tf.dispose([batch.images, ...feats]);
  });

  it('proposals: all 1000 within 0.5 px, objectness within 1e-3', () => {
    const p = out.trace.proposals[0]!;
    expect(p.scores.length).toBe(tensor('proposal_scores').shape[0]);
    const m = matchBoxes(p.boxes, f32('proposals'), 0.5);
    expect(m.fraction).toBe(1);
    for (const [a, b] of m.pairs) expect(Math.abs(p.scores[b]! - f32('proposal_scores')[a]!)).toBeLessThan(1e-3);
  });

  it('detections: boxes within 0.5 px, scores within 1e-3, labels equal, 28×28 masks within 1e-3', () => {
    const d = out.trace.detections[0]!;
    const labels = Array.from(tensor('labels').data as BigInt64Array, Number);
    expect(d.scores.length).toBe(labels.length);
    const m = matchBoxes(d.boxes, f32('detections.boxes_resized'), 0.5, d.labels, labels);
    expect(m.fraction).toBe(1);
    const mm = 28 * 28;
    const probs = f32('detections.mask_probs_28');
    for (const [a, b] of m.pairs) {
      expect(Math.abs(d.scores[b]! - f32('scores')[a]!)).toBeLessThan(1e-3);
      expect(relError(out.trace.maskProbs[0]!.subarray(b * mm, (b + 1) * mm), probs.subarray(a * mm, (a + 1) * mm))).toBeLessThan(1e-3);
    }
  });

  it('final boxes in the original image and pasted masks with IoU >= 0.98', () => {
    const r = out.results[0]!;
    const labels = Array.from(tensor('labels').data as BigInt64Array, Number);
    const m = matchBoxes(r.boxes, f32('boxes'), 0.5, r.labels, labels);
    expect(m.fraction).toBe(1);
    const px = r.height * r.width;
    expect([r.height, r.width]).toEqual(tensor('masks').shape.slice(2));
    const masks = f32('masks');
    for (const [a, b] of m.pairs) {
      let inter = 0, union = 0;
      for (let i = 0; i < px; i++) {
        const x = r.masks[b * px + i]! > 0.5 ? 1 : 0, y = masks[a * px + i]! > 0.5 ? 1 : 0;
        inter += x & y; union += x | y;
      }
      expect(union === 0 ? 1 : inter / union, `mask ${a}`).toBeGreaterThanOrEqual(0.98);
    }
  });
});

describe('fixture checkpoints', () => {
  it('the legacy-format .pth, with keys renamed to pre-0.13 spellings, loads the same parameters', async () => {
    await useBackend('cpu');
    // Old torchvision wrote FPN blocks without ".0", RPN conv without ".0.0", mask_head.mask_fcnN.
    const oldName = (k: string): string => k
      .replace(/fpn\.(inner|layer)_blocks\.(\d+)\.0\./, 'fpn.$1_blocks.$2.')
      .replace('rpn.head.conv.0.0.', 'rpn.head.conv.')
      .replace(/mask_head\.(\d+)\.0\./, (_m, i: string) => `mask_head.mask_fcn${Number(i) + 1}.`);
    const legacy = new Map([...read('tiny_maskrcnn_legacy.pth.gz')].map(([k, v]) => [oldName(k), v]));
    expect(legacy.has('roi_heads.mask_head.mask_fcn4.weight') && legacy.has('backbone.fpn.inner_blocks.0.weight')).toBe(true);
    const a = MaskRCNN.fromStateDict(cfg, legacy);
    const b = MaskRCNN.fromStateDict(cfg, weights);
    for (const name of ['backbone.fpn.inner_blocks.0.0.weight', 'rpn.head.conv.0.0.bias', 'roi_heads.mask_head.3.0.weight', 'backbone.body.layer4.0.conv2.weight']) {
      expect(relError(await a.params.get(name).data(), await b.params.get(name).data()), name).toBe(0);
    }
    a.dispose();
    b.dispose();
  });
});
