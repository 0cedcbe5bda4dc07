import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core alone registers no gradients (the union package does); training code must import this too.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { useBackend } from './model.synth';
import { makeConfig } from '../src/config/presets';
import type { MaskRCNNConfig } from '../src/config/types';
import { extractFeatures, makeBody, modelParamSpecs } from '../src/model/network';
import { ParamStore } from '../src/model/params';
import { bodyParamTrainable } from '../src/model/backbone';
import { rpnHeadForward } from '../src/model/rpn-head';
import { boxHeadForward } from '../src/model/box-head';
import { maskHeadForward } from '../src/model/mask-head';

const small = makeConfig('cpu-small', { backbone: { channels: [8, 16, 24, 32], stemChannels: 8, layers: [1, 2, 1, 1] }, fpn: { outChannels: 8 } });
const mini = makeConfig('tiny');

describe.each(['cpu', 'wasm'])('backbones on %s', (backend) => {
  afterAll(() => tf.disposeVariables());

  it.each<[string, MaskRCNNConfig]>([['small', small], ['mini', mini]])('%s: C2–C5 at strides 4/8/16/32 and FPN P2–P6 of FPN width', async (_n, cfg) => {
    await useBackend(backend);
    const body = makeBody(cfg.backbone);
    const store = ParamStore.init(modelParamSpecs(cfg, body), 3);
    const x = tf.randomNormal([1, 64, 96, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
    const c = body.forward(store, x);
    expect(c.map((t) => t.shape)).toEqual([4, 8, 16, 32].map((s, i) => [1, 64 / s, 96 / s, body.outChannels[i]]));
    const p = extractFeatures(body, store, x);
    expect(p.map((t) => t.shape)).toEqual([4, 8, 16, 32, 64].map((s) => [1, Math.ceil(64 / s), Math.ceil(96 / s), cfg.fpn.outChannels]));
    for (const t of p) expect(Number.isFinite((await tf.max(tf.abs(t)).data())[0])).toBe(true);
    store.dispose();
  });
});

describe('trainable layers', () => {
  it('follows torchvision: layer4 first, conv1 last, bn1 only at 5', () => {
    expect(bodyParamTrainable('layer4.0.conv1.weight', 1)).toBe(true);
    expect(bodyParamTrainable('layer3.0.conv1.weight', 1)).toBe(false);
    expect(bodyParamTrainable('conv1.weight', 4)).toBe(false);
    expect(bodyParamTrainable('conv1.weight', 5)).toBe(true);
    expect(bodyParamTrainable('layer1.0.conv1.weight', 0)).toBe(false);
  });

  it('gradients reach exactly the trainable body convs and the FPN (cpu)', async () => {
    await useBackend('cpu');
    const cfg = makeConfig('torchvision-tiny', { backbone: { trainableLayers: 2 } });
    const body = makeBody(cfg.backbone);
    const specs = modelParamSpecs(cfg, body).filter((s) => s.name.startsWith('backbone.'));
    const store = ParamStore.init(specs, 5);
    const x = tf.randomNormal([1, 32, 32, 3], 0, 1, 'float32', 6) as tf.Tensor4D;
    const vars = store.trainableVariables();
    const { grads } = tf.variableGrads(
      () => extractFeatures(body, store, x).map((t) => tf.mean(tf.square(t))).reduce((a, b) => tf.add(a, b)) as tf.Scalar,
      [...vars.values()],
    );
    const names = Object.keys(grads).map((k) => k.slice(0, k.lastIndexOf('#')));
    expect(names.some((n) => n.startsWith('backbone.body.layer4.'))).toBe(true);
    expect(names.some((n) => n.startsWith('backbone.body.layer3.'))).toBe(true);
    expect(names.some((n) => n.startsWith('backbone.body.layer2.') || n.startsWith('backbone.body.conv1'))).toBe(false);
    expect(names.filter((n) => n.startsWith('backbone.fpn.')).length).toBe(16);
    const g = grads[Object.keys(grads).find((k) => k.startsWith('backbone.body.layer3.0.conv2.weight'))!]!;
    expect((await tf.max(tf.abs(g)).data())[0]).toBeGreaterThan(0);
    store.dispose();
  });
});

describe('heads are differentiable (cpu)', () => {
  it('RPN, box and mask heads give a gradient to every one of their parameters', async () => {
    await useBackend('cpu');
    const cfg = makeConfig('tiny');
    const specs = modelParamSpecs(cfg).filter((s) => !s.name.startsWith('backbone.'));
    const store = ParamStore.init(specs, 9);
    const c = cfg.fpn.outChannels;
    const feats = [tf.randomNormal([1, 8, 8, c], 0, 1, 'float32', 1), tf.randomNormal([1, 4, 4, c], 0, 1, 'float32', 2)] as tf.Tensor4D[];
    const boxRoi = tf.randomNormal([3, 7, 7, c], 0, 1, 'float32', 3) as tf.Tensor4D;
    const maskRoi = tf.randomNormal([2, 14, 14, c], 0, 1, 'float32', 4) as tf.Tensor4D;
    const vars = [...store.trainableVariables().values()];
    const { grads } = tf.variableGrads(() => {
      const rpn = rpnHeadForward(store, feats);
      const box = boxHeadForward(store, boxRoi);
      const mask = maskHeadForward(store, maskRoi, cfg.maskHead.layers.length);
      return [rpn.objectness, rpn.deltas, box.classLogits, box.boxDeltas, mask]
        .map((t) => tf.mean(tf.square(t)))
        .reduce((x, y) => tf.add(x, y)) as tf.Scalar;
    }, vars);
    expect(Object.keys(grads).length).toBe(specs.length);
    for (const [k, g] of Object.entries(grads)) expect((await tf.max(tf.abs(g)).data())[0], k).toBeGreaterThan(0);
    store.dispose();
  });
});

describe('presets run end to end (initialised weights, wasm)', () => {
  it.each(['tiny', 'cpu-small'] as const)('%s: detect returns consistent shapes in original coordinates', async (preset) => {
    await useBackend('wasm');
    const { MaskRCNN } = await import('../src/model/maskrcnn');
    const cfg = makeConfig(preset);
    const model = MaskRCNN.init(cfg, 7);
    const image = tf.randomUniform([90, 120, 3], 0, 1, 'float32', 8) as tf.Tensor3D;
    const before = tf.memory().numTensors;
    const { results, trace } = await model.detect([image]);
    model.invalidate(); // drops the folded-weight cache: what remains beyond `before` would be a leak
    expect(tf.memory().numTensors).toBe(before);
    const r = results[0]!;
    const k = r.scores.length;
    expect(k).toBeLessThanOrEqual(cfg.roiHeads.detectionsPerImage);
    expect(trace.proposals[0]!.scores.length).toBeLessThanOrEqual(cfg.rpn.postNmsTopNTest);
    expect([r.height, r.width, r.boxes.length, r.labels.length, r.masks.length]).toEqual([90, 120, 4 * k, k, k * 90 * 120]);
    for (let i = 0; i < k; i++) {
      expect(r.labels[i]).toBeGreaterThanOrEqual(1);
      expect(r.labels[i]).toBeLessThan(cfg.numClasses);
      expect(r.scores[i]).toBeGreaterThan(cfg.roiHeads.scoreThresh);
      expect(r.boxes[4 * i + 2]).toBeLessThanOrEqual(120 + 1e-3);
      expect(r.boxes[4 * i + 3]).toBeLessThanOrEqual(90 + 1e-3);
    }
    model.dispose();
    image.dispose();
  });
});
