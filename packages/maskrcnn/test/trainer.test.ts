import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerAllGradients, registerWasmTrainingKernels } from '../src/backend';
import { makeConfig } from '../src/config';
import { MaskRCNN } from '../src/model';
import { syntheticSample, train, TrainingDivergedError, type StepInfo, type TrainingSample } from '../src/trainer';

// The whole loop on the wasm backend with our training kernels, on the `tiny` preset.
const cfg = makeConfig('tiny', { numClasses: 4 });
let samples: TrainingSample[];

beforeAll(async () => {
  await registerAllGradients();
  await tf.setBackend('wasm');
  await tf.ready();
  registerWasmTrainingKernels();
  samples = await Promise.all([0, 1, 2].map((i) => syntheticSample(i, { width: 96, height: 80, classCount: 3, seed: 100 + i, minInstances: 1, maxInstances: 2 })));
});

const base = {
  batchSize: 1,
  optimizer: { type: 'adam' as const },
  schedule: { type: 'constant' as const, baseLr: 1e-3 },
  seed: 5,
};

async function losses(model: MaskRCNN, extra: Partial<Parameters<typeof train>[0]> = {}): Promise<StepInfo[]> {
  const steps: StepInfo[] = [];
  await train({ ...base, model, train: samples, epochs: 1, ...extra, onStep: (s) => void steps.push(s) });
  return steps;
}

describe('training loop', () => {
  it('overfits one image: the loss falls over a few Adam steps', async () => {
    const model = MaskRCNN.init(cfg, 1);
    const steps: StepInfo[] = [];
    await train({ ...base, model, train: samples.slice(0, 1), epochs: 8, onStep: (s) => void steps.push(s) });
    expect(steps).toHaveLength(8);
    expect(steps.every((s) => Number.isFinite(s.loss))).toBe(true);
    expect(steps[7]!.loss).toBeLessThan(steps[0]!.loss * 0.9);
    model.dispose();
  });

  it('is reproducible for a seed, and a resumed run takes the same next step', async () => {
    const a = MaskRCNN.init(cfg, 2);
    const continuous: StepInfo[] = [];
    await train({ ...base, model: a, train: samples, epochs: 2, onStep: (s) => void continuous.push(s) });
    a.dispose();

    const b = MaskRCNN.init(cfg, 2);
    expect((await losses(b)).map((s) => s.loss)).toEqual(continuous.slice(0, 3).map((s) => s.loss));
    // Checkpoint after epoch 1 (weights + optimiser slots), then resume in a fresh model.
    const c = MaskRCNN.init(cfg, 2);
    let saved: { sd: Awaited<ReturnType<typeof c.params.toStateDict>>; opt: { name: string; tensor: tf.Tensor }[] } | undefined;
    await train({
      ...base,
      model: c,
      train: samples,
      epochs: 1,
      onEpoch: async (_r, t) => {
        saved = { sd: await c.params.toStateDict(), opt: await t.optimizerState() };
      },
    });
    c.dispose();
    const d = MaskRCNN.fromStateDict(cfg, saved!.sd);
    const resumed: StepInfo[] = [];
    await train({ ...base, model: d, train: samples, epochs: 2, startEpoch: 1, optimizerState: saved!.opt, onStep: (s) => void resumed.push(s) });
    expect(resumed[0]!.step).toBe(3);
    expect(resumed[0]!.loss).toBeCloseTo(continuous[3]!.loss, 4);
    d.dispose();
    b.dispose();
  });

  it('trains on images without instances (negatives) between annotated ones, with and without accumulation', async () => {
    const negative: TrainingSample = { ...samples[0]!, id: 'negative', target: { boxes: new Float32Array(0), labels: new Int32Array(0), masks: new Uint8Array(0) } };
    const maskWeight = 'roi_heads.mask_predictor.mask_fcn_logits.weight';
    for (const accumulation of [1, 2]) {
      const model = MaskRCNN.init(cfg, 7);
      const steps: StepInfo[] = [];
      const mask0 = await model.params.get(maskWeight).data();
      await train({ ...base, model, train: [negative, samples[1]!, negative, samples[2]!], epochs: 2, accumulation, onStep: (s) => void steps.push(s) });
      expect(steps).toHaveLength(8 / accumulation);
      expect(steps.every((s) => Number.isFinite(s.loss))).toBe(true);
      // The mask head still learns from the annotated images.
      expect(Array.from(await model.params.get(maskWeight).data())).not.toEqual(Array.from(mask0));
      model.dispose();
    }
  });

  it('stops with an error naming the step when the loss is not finite', async () => {
    const model = MaskRCNN.init(cfg, 3);
    const poisoned = { ...samples[0]!, pixels: samples[0]!.pixels.map((v, i) => (i === 0 ? Number.NaN : v)) };
    await expect(train({ ...base, model, train: [poisoned], epochs: 1 })).rejects.toBeInstanceOf(TrainingDivergedError);
    await expect(train({ ...base, model, train: [poisoned], epochs: 1 })).rejects.toThrow(/diverged at step 0 \(epoch 1\)/);
    model.dispose();
  });

  // torchvision's rule (resnet_fpn_backbone): the last n of conv1, layer1..layer4 train; FrozenBatchNorm
  // holds buffers only, so its entries never change; the FPN and the heads always train.
  it.each([0, 2, 5])('trainableLayers=%i: a step moves exactly the parameters torchvision would train', async (n) => {
    const layersToTrain = ['layer4', 'layer3', 'layer2', 'layer1', 'conv1'].slice(0, n);
    const tvCfg = makeConfig('torchvision-tiny', { numClasses: 4, backbone: { trainableLayers: n }, transform: { minSize: 80, maxSize: 96 } });
    const model = MaskRCNN.init(tvCfg, 6);
    const before = await model.params.toStateDict();
    await train({ ...base, model, train: samples.slice(0, 1), epochs: 1 });
    const after = await model.params.toStateDict();
    const changed = new Set([...before].filter(([k, t]) => t.data.some((v, i) => v !== after.get(k)!.data[i])).map(([k]) => k));
    const isBn = (rel: string) => /(^|\.)(bn\d|downsample\.1)\./.test(rel);
    for (const key of before.keys()) {
      if (!key.startsWith('backbone.body.')) continue;
      const rel = key.slice('backbone.body.'.length);
      const trains = !isBn(rel) && layersToTrain.some((l) => rel.startsWith(`${l}.`));
      expect(changed.has(key), key).toBe(trains);
    }
    const rest = [...before.keys()].filter((k) => !k.startsWith('backbone.body.'));
    expect(rest.filter((k) => !changed.has(k))).toEqual([]);
    model.dispose();
  });

  it('holds no more tensors in a later epoch than in the first, though each epoch ends with detection', async () => {
    const model = MaskRCNN.init(cfg, 8);
    const counts: number[] = [];
    await train({
      ...base, model, train: samples, epochs: 3,
      onStep: () => void counts.push(tf.memory().numTensors),
      onEpoch: async () => {
        const image = tf.zeros([80, 96, 3]) as tf.Tensor3D;
        await model.detect([image]);
        image.dispose();
      },
    });
    expect(counts).toHaveLength(9);
    expect(new Set(counts).size).toBe(1);
    model.dispose();
  });

  it('reports per-epoch train and val losses with every component', async () => {
    const model = MaskRCNN.init(cfg, 4);
    const epochs = await train({ ...base, model, train: samples.slice(0, 2), val: samples.slice(2), epochs: 1 });
    expect(Object.keys(epochs[0]!.train.components).sort()).toEqual(['loss_box_reg', 'loss_classifier', 'loss_mask', 'loss_objectness', 'loss_rpn_box_reg']);
    expect(epochs[0]!.val!.images).toBe(1);
    expect(Number.isFinite(epochs[0]!.val!.loss)).toBe(true);
    model.dispose();
  });
});
