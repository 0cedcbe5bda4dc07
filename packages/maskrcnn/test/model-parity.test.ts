// The tiny torchvision-layout model with synthetic weights against torch's outputs
// (test/model-ref.json, made by fixtures/make_model_keys.py): body, FPN, RPN head, box and mask heads.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-cpu';
import keys from './model-keys.json';
import ref from './model-ref.json';
import { relError, synthInputNhwc, synthWeight, useBackend, type Packed } from './model.synth';
import { makeConfig } from '../src/config/presets';
import type { BackboneConfig } from '../src/config/types';
import { makeBody, modelParamSpecs } from '../src/model/network';
import { ParamStore, type Params, type StateDictTensor } from '../src/model/params';
import { foldBatchNorms, type FoldedParams } from '../src/model/fold';
import { fpnForward } from '../src/model/fpn';
import { rpnHeadForward } from '../src/model/rpn-head';
import { boxHeadForward } from '../src/model/box-head';
import { maskHeadForward } from '../src/model/mask-head';

const tiny = ref.tiny as unknown as Record<string, Packed> & { bodyChannelMeans: Packed[]; fpn: Packed[] };
const cfg = makeConfig('torchvision-tiny');
const TOL = 1e-4;

describe.each(['cpu', 'wasm'])('tiny torchvision model with synthetic weights on %s', (backend) => {
  let store: ParamStore;
  let folded: FoldedParams;
  const body = makeBody(cfg.backbone);

  beforeAll(async () => {
    await useBackend(backend);
    const sd = new Map<string, StateDictTensor>((keys.tiny as [string, number[]][]).map(([k, s]) => [k, synthWeight(k, s)]));
    store = ParamStore.fromStateDict(modelParamSpecs(cfg, body), sd);
    folded = foldBatchNorms(store);
  });
  afterAll(() => {
    folded.dispose();
    store.dispose();
  });

  it.each([['folded', true], ['unfolded', false]])('body C2–C5 channel means and FPN P2–P6 match torch (%s BN)', async (_n, useFold) => {
    const p: Params = useFold ? folded : store;
    const image = synthInputNhwc('image', [2, 3, 38, 54]);
    const c = body.forward(p, image);
    for (let i = 0; i < 4; i++) {
      const means = await tf.mean(c[i]!, [0, 1, 2]).data();
      expect(relError(means, tiny.bodyChannelMeans[i]!.data), `C${i + 2}`).toBeLessThan(TOL);
    }
    const feats = fpnForward(p, c);
    for (let i = 0; i < 5; i++) {
      expect(feats[i]!.shape, `P${i + 2}`).toEqual(tiny.fpn[i]!.shape);
      expect(relError(await feats[i]!.data(), tiny.fpn[i]!.data), `P${i + 2}`).toBeLessThan(TOL);
    }
    // The RPN head on the reference FPN maps isolates it from upstream error.
    const refFeats = tiny.fpn.map((f) => tf.tensor4d(f.data, f.shape as [number, number, number, number]));
    const rpn = rpnHeadForward(p, refFeats);
    expect(rpn.anchorsPerLevel).toEqual(tiny.fpn.map((f) => f.shape[1]! * f.shape[2]! * 3));
    expect(rpn.objectness.shape).toEqual(tiny.objectness!.shape);
    expect(relError(await rpn.objectness.data(), tiny.objectness!.data)).toBeLessThan(TOL);
    expect(relError(await rpn.deltas.data(), tiny.rpnDeltas!.data)).toBeLessThan(TOL);
    tf.dispose([image, ...c, ...feats, ...refFeats, rpn.objectness, rpn.deltas]);
  });

  it('box head (TwoMLPHead on NHWC RoIs via the permuted fc6) and predictor match torch', async () => {
    const out = boxHeadForward(store, synthInputNhwc('boxRoi', [5, 32, 7, 7]));
    expect(relError(await out.classLogits.data(), tiny.classLogits!.data)).toBeLessThan(TOL);
    expect(relError(await out.boxDeltas.data(), tiny.boxDeltas!.data)).toBeLessThan(TOL);
  });

  it('mask head and predictor match torch', async () => {
    const out = maskHeadForward(store, synthInputNhwc('maskRoi', [2, 32, 14, 14]), cfg.maskHead.layers.length);
    expect(out.shape).toEqual(tiny.maskLogits!.shape);
    expect(relError(await out.data(), tiny.maskLogits!.data)).toBeLessThan(TOL);
  });
});

// Two blocks in layer1 exercise the identity-shortcut blocks the tiny model lacks.
const bodies = (ref as unknown as { bodies: Record<string, { keys: [string, number[]][]; channelMeans: Packed[] }> }).bodies;
const bodyCases: [string, BackboneConfig][] = [
  ['bottleneck2111', { kind: 'resnet50-fpn', layers: [2, 1, 1, 1], widthPerGroup: 16, trainableLayers: 3 }],
  ['basic2111', { kind: 'small', stemChannels: 64, channels: [64, 128, 256, 512], layers: [2, 1, 1, 1], trainableLayers: 5 }],
];

describe.each(['cpu', 'wasm'])('ResNet bodies with identity-shortcut blocks on %s', (backend) => {
  it.each(bodyCases)('%s: torchvision key names and C2–C5 channel means', async (name, bb) => {
    await useBackend(backend);
    const refBody = bodies[name]!;
    const body = makeBody(bb);
    expect(body.specs.map((s) => [s.name, s.torchShape])).toEqual(refBody.keys);
    const store = ParamStore.fromStateDict(body.specs, new Map(refBody.keys.map(([k, s]) => [k, synthWeight(k, s)])));
    const c = body.forward(store, synthInputNhwc('image', [1, 3, 38, 54]));
    for (let i = 0; i < 4; i++) {
      expect(relError(await tf.mean(c[i]!, [0, 1, 2]).data(), refBody.channelMeans[i]!.data), `C${i + 2}`).toBeLessThan(TOL);
    }
    tf.dispose(c);
    store.dispose();
  });
});
