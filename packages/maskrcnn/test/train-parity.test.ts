// Training-mode parity with torchvision 0.14 (test/fixtures/train, fixtures/make_train_fixtures.py): the
// tiny fixture model on one image with three GT instances, replaying torchvision's sampler draws. Checks
// targets, the five losses and the gradients of a few parameters, on the cpu backend (the reference) and
// on wasm with the training kernels of src/backend.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { registerMissingGradients, registerWasmTrainingKernels } from '../src/backend/index';
import { relError, useBackend } from './model.synth';
import { readWeights, type StateDict, type TensorEntry } from '../src/weights/index';
import { makeConfig } from '../src/config/presets';
import { makeBody, modelParamSpecs } from '../src/model/network';
import { ParamStore } from '../src/model/params';
import { toTorch } from '../src/model/layout';
import { LOSS_NAMES, type LossName } from '../src/train/losses';
import { replaySampler } from '../src/train/sampler';
import { trainingLosses, type TrainingTrace } from '../src/train/forward';

const read = (f: string): StateDict => readWeights(new Uint8Array(readFileSync(new URL(`./fixtures/${f}`, import.meta.url))));
const ref = read('train/train.safetensors.gz');
const summary = JSON.parse(readFileSync(new URL('./fixtures/train/train.json', import.meta.url), 'utf8')) as { grad_keys: string[] };
const cfg = makeConfig('torchvision-tiny');

function entry(name: string): TensorEntry {
  const t = ref.get(name);
  if (!t) throw new Error(`train fixture has no ${name}`);
  return t;
}

describe.each(['cpu', 'wasm'])('training forward vs torchvision on %s', (backend) => {
  let store: ParamStore;
  let trace: TrainingTrace;
  let ours: Float32Array[];
  const losses = {} as Record<LossName, number>;
  const grads = new Map<string, Float32Array>();

  beforeAll(async () => {
    await useBackend(backend);
    if (backend === 'wasm') registerWasmTrainingKernels();
    registerMissingGradients();
    const body = makeBody(cfg.backbone);
    store = ParamStore.fromStateDict(modelParamSpecs(cfg, body), read('tiny/tiny_maskrcnn.safetensors.gz'));
    const im = entry('image');
    const image = tf.tidy(() => tf.div<tf.Tensor3D>(tf.tensor3d(Float32Array.from(im.data as Uint8Array), im.shape as [number, number, number]), 255));
    const target = {
      boxes: entry('gt_boxes').data as Float32Array,
      labels: entry('gt_labels').data as Int32Array,
      masks: entry('gt_masks').data as Uint8Array,
    };
    const draw = (p: string) => ({ pos: entry(`${p}_pos`).data as Int32Array, neg: entry(`${p}_neg`).data as Int32Array });
    // Only the checked parameters: backprop then stops at the FPN instead of running the cpu backend's
    // slow conv gradients through the whole body.
    const all = store.trainableVariables();
    const vars = new Map(summary.grad_keys.map((k) => [k, all.get(k)!]));
    const { grads: g } = tf.variableGrads(() => {
      const out = trainingLosses(store, cfg, [image], [target], {
        body,
        rpnSampler: replaySampler([draw('rpn')]),
        roiSampler: replaySampler([draw('roi')]),
      });
      for (const k of LOSS_NAMES) losses[k] = out.losses[k].dataSync()[0]!;
      trace = out.trace;
      return out.total;
    }, [...vars.values()]);
    for (const key of summary.grad_keys) {
      const v = vars.get(key);
      const gv = v ? g[v.name] : undefined;
      if (!gv) throw new Error(`no gradient for ${key}`);
      const t = toTorch(store.specs.get(key)!, gv);
      grads.set(key, (await t.data()) as Float32Array);
      t.dispose();
    }
    tf.dispose(Object.values(g));
    image.dispose();
    ours = trace.proposals;
  }, 60_000);
  afterAll(() => store?.dispose());

  it('anchor labels match torchvision exactly (incl. low-quality matches)', () => {
    expect(Array.from(trace.rpnLabels[0]!)).toEqual(Array.from(entry('rpn_labels').data as Int8Array));
  });

  it('RPN proposals (train top-n 2000/2000) match torchvision', () => {
    const p = entry('proposals');
    expect(ours[0]!.length).toBe(p.data.length);
    expect(relError(ours[0]!, p.data as Float32Array)).toBeLessThan(1e-5);
  });

  it('RoI candidate labels (proposals + GT boxes, IoU 0.5) match torchvision', () => {
    const want = entry('roi_labels').data as Int8Array;
    const pos = entry('roi_pos').data as Int32Array;
    const neg = entry('roi_neg').data as Int32Array;
    const sampled = Int32Array.from([...pos, ...neg]).sort();
    expect(Array.from(trace.roi[0]!.labels)).toEqual(Array.from(sampled, (i) => want[i]!));
    expect(trace.roi[0]!.labels.filter((l) => l > 0).length).toBe(pos.length);
    // the appended GT boxes are candidates: the last three carry the GT labels
    expect(Array.from(want.subarray(want.length - 3))).toEqual(Array.from(entry('gt_labels').data as Int32Array));
  });

  it.each(LOSS_NAMES)('%s within 1e-4 relative', (name) => {
    const want = (entry(name).data as Float32Array)[0]!;
    expect(want).toBeGreaterThan(0);
    expect(Math.abs(losses[name] - want) / want, `${name}: ours ${losses[name]} torch ${want}`).toBeLessThan(1e-4);
  });

  it.each(summary.grad_keys)('gradient of %s within 1e-3 relative', (key) => {
    const want = entry(`grad.${key}`);
    const got = grads.get(key)!;
    expect(got.length).toBe(want.data.length);
    expect(relError(got, want.data as Float32Array)).toBeLessThan(1e-3);
  });
});
