// A few Adam steps on one synthetic image with the `tiny` preset must lower every loss component.
// Losses are compared at the same sampler seed and on a fixed proposal set before and after training,
// so neither the draw nor the (improving) RPN proposals make the difference. cpu backend (the reference for gradients until the wasm training kernels land).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { registerMissingGradients, registerWasmTrainingKernels } from '../src/backend/index';
import { useBackend } from './model.synth';
import { makeConfig } from '../src/config/presets';
import { makeBody, modelParamSpecs } from '../src/model/network';
import { ParamStore } from '../src/model/params';
import { LOSS_NAMES, type LossName } from '../src/train/losses';
import { balancedSampler, randomChoose, replaySampler, seededRandom, type SampleFn, type Sampled } from '../src/train/sampler';
import { trainingLosses, type TrainingTarget } from '../src/train/forward';

const cfg = makeConfig('tiny');
const H = 96;
const W = 128;
const STEPS = 20;
const SCALE = 128 / 96; // the tiny preset resizes the short side 96 -> 128

/** Fixed RoI candidates in resized coordinates: shifted copies of the GT boxes and a background grid. */
function fixedProposals(gt: Float32Array): Float32Array {
  const out: number[] = [];
  for (let g = 0; g < gt.length; g += 4) {
    const [x1, y1, x2, y2] = Array.from(gt.subarray(g, g + 4), (v) => v * SCALE) as [number, number, number, number];
    for (const dx of [-9, -4, 0, 5]) for (const dy of [-6, 0, 7]) out.push(x1 + dx, y1 + dy, x2 + dx * 0.5, y2 - dy);
  }
  for (let y = 0; y + 40 <= 128; y += 22) for (let x = 0; x + 40 <= 170; x += 26) out.push(x, y, x + 40, y + 40);
  return Float32Array.from(out);
}

/** Two filled shapes on a shaded background, with their masks, boxes and classes 1 and 2. */
function scene(): { image: tf.Tensor3D; target: TrainingTarget } {
  const px = new Float32Array(H * W * 3);
  const masks = new Uint8Array(2 * H * W);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      const inRect = x >= 14 && x < 58 && y >= 20 && y < 70;
      const inDisc = (x - 92) ** 2 + (y - 48) ** 2 <= 24 ** 2;
      masks[i] = inRect ? 1 : 0;
      masks[H * W + i] = inDisc ? 1 : 0;
      const c = inDisc ? [0.1, 0.7, 0.2] : inRect ? [0.9, 0.2, 0.1] : [0.3 + 0.3 * (x / W), 0.4, 0.5 - 0.2 * (y / H)];
      px.set(c, i * 3);
    }
  }
  return {
    image: tf.tensor3d(px, [H, W, 3]),
    target: { boxes: Float32Array.of(14, 20, 58, 70, 68, 24, 117, 73), labels: Int32Array.of(1, 2), masks },
  };
}

describe('overfitting one image with the tiny preset (wasm)', () => {
  let store: ParamStore;
  const before = {} as Record<LossName, number>;
  const after = {} as Record<LossName, number>;

  beforeAll(async () => {
    await useBackend('wasm');
    registerWasmTrainingKernels();
    registerMissingGradients();
    const body = makeBody(cfg.backbone);
    store = ParamStore.init(modelParamSpecs(cfg, body), 3);
    const { image, target } = scene();
    const proposals = () => fixedProposals(target.boxes);
    const evaluate = (into: Record<LossName, number>) =>
      tf.tidy(() => {
        const out = trainingLosses(store, cfg, [image], [target], { body, random: seededRandom(11), proposals });
        for (const k of LOSS_NAMES) into[k] = out.losses[k].dataSync()[0]!;
      });
    evaluate(before);
    const opt = tf.train.adam(3e-3);
    const vars = [...store.trainableVariables().values()];
    const random = seededRandom(5);
    for (let s = 0; s < STEPS; s++) {
      opt.minimize(() => trainingLosses(store, cfg, [image], [target], { body, random, proposals }).total, false, vars);
    }
    evaluate(after);
    opt.dispose();
    image.dispose();
  }, 60_000);
  afterAll(() => store?.dispose());

  it('a batch of two copies gives the single-image losses (per-batch normalisation as torchvision)', () => {
    const { image, target } = scene();
    const recording = (batch: number, frac: number, log: Sampled[]): SampleFn => {
      const draw = balancedSampler({ batchSizePerImage: batch, positiveFraction: frac, choose: randomChoose(seededRandom(9)) });
      return (labels, i) => { const d = draw(labels, i); log.push(d); return d; };
    };
    const rpnLog: Sampled[] = [];
    const roiLog: Sampled[] = [];
    const run = (n: number, rpnSampler: SampleFn, roiSampler: SampleFn) =>
      tf.tidy(() => {
        const out = trainingLosses(store, cfg, Array(n).fill(image), Array(n).fill(target), { rpnSampler, roiSampler });
        return LOSS_NAMES.map((k) => out.losses[k].dataSync()[0]!);
      });
    const one = run(1, recording(cfg.rpn.batchSizePerImage, cfg.rpn.positiveFraction, rpnLog), recording(cfg.roiHeads.batchSizePerImage, cfg.roiHeads.positiveFraction, roiLog));
    const two = run(2, replaySampler([rpnLog[0]!, rpnLog[0]!]), replaySampler([roiLog[0]!, roiLog[0]!]));
    expect(one.every((v) => v > 0)).toBe(true);
    two.forEach((v, i) => expect(v).toBeCloseTo(one[i]!, 5));
    image.dispose();
  });

  it('a GT-free image: only the classifier and objectness losses are non-zero, and gradients are finite', async () => {
    const image = tf.fill([H, W, 3], 0.5) as tf.Tensor3D;
    const empty: TrainingTarget = { boxes: new Float32Array(0), labels: new Int32Array(0), masks: new Uint8Array(0) };
    const vars = [...store.trainableVariables().values()];
    const losses = {} as Record<LossName, number>;
    const { grads } = tf.variableGrads(() => {
      const out = trainingLosses(store, cfg, [image], [empty], { random: seededRandom(2) });
      for (const k of LOSS_NAMES) losses[k] = out.losses[k].dataSync()[0]!;
      return out.total;
    }, vars);
    expect([losses.loss_rpn_box_reg, losses.loss_box_reg, losses.loss_mask]).toEqual([0, 0, 0]);
    expect(losses.loss_objectness).toBeGreaterThan(0);
    expect(losses.loss_classifier).toBeGreaterThan(0);
    const g = await grads[store.variable('roi_heads.box_predictor.cls_score.weight').name]!.data();
    expect(Array.from(g).every(Number.isFinite)).toBe(true);
    expect(Array.from(g).some((v) => v !== 0)).toBe(true);
    tf.dispose([image, ...Object.values(grads)]);
  });

  it.each(LOSS_NAMES)('%s decreases', (name) => {
    expect(Number.isFinite(before[name])).toBe(true);
    expect(after[name], `${name}: ${before[name]} -> ${after[name]}`).toBeLessThan(before[name]);
  });
});
