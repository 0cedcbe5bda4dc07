import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import keys from './model-keys.json';
import { synthWeight, useBackend } from './model.synth';
import { makeConfig } from '../src/config/presets';
import { modelParamSpecs } from '../src/model/network';
import { ParamStore, StateDictError, upgradeLegacyKey, type StateDictTensor } from '../src/model/params';
import { fromTorch, toTorch } from '../src/model/layout';
import { convBnPairs, foldBatchNorms } from '../src/model/fold';

const full = keys.full as [string, number[]][];
const tiny = keys.tiny as [string, number[]][];
const tinyCfg = makeConfig('torchvision-tiny');

function stateDict(list: [string, number[]][]): Map<string, StateDictTensor> {
  return new Map(list.map(([k, s]) => [k, synthWeight(k, s)]));
}

describe('parameter names and shapes', () => {
  it('torchvision preset: every state_dict key of maskrcnn_resnet50_fpn, same order and torch shape', () => {
    const specs = modelParamSpecs(makeConfig('torchvision'));
    expect(specs.map((s) => [s.name, s.torchShape])).toEqual(full);
  });

  it('tiny fixture variant (Bottleneck [1,1,1,1], width 16, FPN 32) matches torchvision key for key', () => {
    expect(modelParamSpecs(tinyCfg).map((s) => [s.name, s.torchShape])).toEqual(tiny);
  });

  it('trainableLayers=3 trains exactly the parameters torchvision leaves requires_grad', () => {
    const trainable = modelParamSpecs(makeConfig('torchvision')).filter((s) => s.trainable).map((s) => s.name);
    expect(trainable).toEqual(keys.trainable);
  });

  it('small and mini backbones emit keys in the same namespaces and feed the FPN their channels', () => {
    for (const preset of ['cpu-small', 'tiny'] as const) {
      const cfg = makeConfig(preset);
      const specs = modelParamSpecs(cfg);
      const names = new Set(specs.map((s) => s.name));
      expect(names.size).toBe(specs.length);
      for (const n of names) expect(n).toMatch(/^(backbone\.(body|fpn)|rpn\.head|roi_heads\.(box_head|box_predictor|mask_head|mask_predictor))\./);
      const channels = 'channels' in cfg.backbone ? cfg.backbone.channels : [];
      channels.forEach((c, i) => {
        expect(specs.find((s) => s.name === `backbone.fpn.inner_blocks.${i}.0.weight`)?.torchShape).toEqual([cfg.fpn.outChannels, c, 1, 1]);
      });
    }
  });
});

describe('state dict loading', () => {
  beforeAll(() => useBackend('cpu'));
  afterAll(() => tf.disposeVariables());

  it('loads the tiny key list, converts layouts, and writes back the same torch tensors', async () => {
    const sd = stateDict(tiny);
    const store = ParamStore.fromStateDict(modelParamSpecs(tinyCfg), sd);
    expect(store.get('backbone.body.conv1.weight').shape).toEqual([7, 7, 3, 64]);
    expect(store.get('roi_heads.box_head.fc6.weight').shape).toEqual([32 * 49, 64]);
    expect(store.get('roi_heads.mask_predictor.conv5_mask.weight').shape).toEqual([2, 2, 32, 32]);
    const back = await store.toStateDict();
    for (const [k, t] of sd) {
      const b = back.get(k)!;
      expect(b.shape).toEqual(t.shape);
      const want = t.data as Float32Array;
      let same = b.data.length === want.length;
      for (let i = 0; same && i < want.length; i++) same = b.data[i] === want[i];
      expect(same, k).toBe(true);
    }
    store.dispose();
  });

  it('exports through the safetensors writer and loads back identically', async () => {
    const { readSafetensors, writeSafetensors } = await import('../src/weights/index');
    const specs = modelParamSpecs(makeConfig('tiny'));
    const a = ParamStore.init(specs, 4);
    const b = ParamStore.fromStateDict(specs, readSafetensors(writeSafetensors(await a.toStateDict())));
    for (const name of ['backbone.body.layer1.0.weight', 'roi_heads.box_head.fc6.weight', 'roi_heads.mask_predictor.conv5_mask.weight']) {
      expect(Array.from(await b.get(name).data()), name).toEqual(Array.from(await a.get(name).data()));
    }
    a.dispose();
    b.dispose();
  });

  it('conv weights land as [kh,kw,in,out] and fc6 as (h,w,c)-major rows', async () => {
    // torch conv weight [out=2,in=3,kh=1,kw=2]: element (o,i,0,x) = 100o + 10i + x
    const data = new Float32Array(12);
    for (let o = 0; o < 2; o++) for (let i = 0; i < 3; i++) for (let x = 0; x < 2; x++) data[(o * 3 + i) * 2 + x] = 100 * o + 10 * i + x;
    const conv = fromTorch({ name: 'c', torchShape: [2, 3, 1, 2], layout: { kind: 'conv' }, init: { dist: 'const', value: 0 }, trainable: true }, data);
    const c = (await conv.array()) as number[][][][];
    expect(c[0]![1]![2]![1]).toBe(121); // [ky=0, kx=1, in=2, out=1]
    // fc6 torch [out=1, c·h·w] with c=2, h=1, w=3: feature (c,y,x) has weight 10c + x
    const fc = fromTorch({ name: 'f', torchShape: [1, 6], layout: { kind: 'linear-chw', c: 2, h: 1, w: 3 }, init: { dist: 'const', value: 0 }, trainable: true },
      new Float32Array([0, 1, 2, 10, 11, 12]));
    // NHWC flatten of a [1,1,3,2] map is (x, c)-major: rows x0c0, x0c1, x1c0, ...
    expect(Array.from(await fc.data())).toEqual([0, 10, 1, 11, 2, 12]);
    const spec = { name: 'f', torchShape: [1, 6], layout: { kind: 'linear-chw' as const, c: 2, h: 1, w: 3 }, init: { dist: 'const' as const, value: 0 }, trainable: true };
    expect(Array.from(await toTorch(spec, fc).data())).toEqual([0, 1, 2, 10, 11, 12]);
  });

  it('accepts pre-0.13 key spellings and ignores num_batches_tracked', () => {
    expect(upgradeLegacyKey('backbone.fpn.inner_blocks.2.weight')).toBe('backbone.fpn.inner_blocks.2.0.weight');
    expect(upgradeLegacyKey('backbone.fpn.layer_blocks.0.bias')).toBe('backbone.fpn.layer_blocks.0.0.bias');
    expect(upgradeLegacyKey('rpn.head.conv.weight')).toBe('rpn.head.conv.0.0.weight');
    expect(upgradeLegacyKey('roi_heads.mask_head.mask_fcn4.bias')).toBe('roi_heads.mask_head.3.0.bias');
    const legacy = new Map<string, StateDictTensor>();
    for (const [k, s] of tiny) legacy.set(k.replace(/(inner_blocks|layer_blocks)\.(\d+)\.0\./, '$1.$2.').replace('rpn.head.conv.0.0.', 'rpn.head.conv.')
      .replace(/mask_head\.(\d)\.0\./, (_m, i: string) => `mask_head.mask_fcn${Number(i) + 1}.`), synthWeight(k, s));
    legacy.set('backbone.body.bn1.num_batches_tracked', { dtype: 'int64', shape: [], data: new BigInt64Array([0n]) });
    expect(legacy.has('rpn.head.conv.weight')).toBe(true);
    const store = ParamStore.fromStateDict(modelParamSpecs(tinyCfg), legacy);
    expect(store.get('rpn.head.conv.0.0.weight').shape).toEqual([3, 3, 32, 32]);
    store.dispose();
  });

  it('converts float16 and float64 tensors and refuses integer ones by key', async () => {
    const spec = modelParamSpecs(tinyCfg).filter((s) => s.name.startsWith('rpn.head.cls_logits.'));
    // float16 bit patterns: 0x3c00 = 1, 0xc000 = -2, 0x3800 = 0.5
    const w = { dtype: 'float16', shape: [3, 32, 1, 1], data: new Uint16Array(96).fill(0x3c00) };
    w.data[0] = 0xc000;
    const sd = new Map<string, StateDictTensor>([['rpn.head.cls_logits.weight', w], ['rpn.head.cls_logits.bias', { dtype: 'float64', shape: [3], data: new Float64Array([0.5, 1, 2]) }]]);
    const store = ParamStore.fromStateDict(spec, sd);
    expect((await store.get('rpn.head.cls_logits.weight').data())[0]).toBe(-2);
    expect((await store.get('rpn.head.cls_logits.weight').data())[3]).toBe(1);
    expect(Array.from(await store.get('rpn.head.cls_logits.bias').data())).toEqual([0.5, 1, 2]);
    store.dispose();
    sd.set('rpn.head.cls_logits.bias', { dtype: 'int32', shape: [3], data: new Int32Array(3) });
    expect(() => ParamStore.fromStateDict(spec, sd)).toThrow('rpn.head.cls_logits.bias: int32 tensor where a floating-point parameter is expected');
  });

  it('names every mismatched, missing and unexpected key', () => {
    const sd = stateDict(tiny);
    sd.set('roi_heads.box_predictor.cls_score.weight', synthWeight('x', [7, 64]));
    sd.delete('backbone.body.layer3.0.bn2.running_var');
    sd.set('backbone.body.fc.weight', synthWeight('y', [10, 2048]));
    let err: unknown;
    try { ParamStore.fromStateDict(modelParamSpecs(tinyCfg), sd); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(StateDictError);
    const e = err as StateDictError;
    expect(e.mismatched).toEqual([{ key: 'roi_heads.box_predictor.cls_score.weight', expected: [4, 64], got: [7, 64] }]);
    expect(e.missing).toEqual(['backbone.body.layer3.0.bn2.running_var']);
    expect(e.unexpected).toEqual(['backbone.body.fc.weight']);
    expect(e.message).toContain('roi_heads.box_predictor.cls_score.weight: expected [4,64], got [7,64]');
  });

  it('ignore patterns keep fresh predictors when fine-tuning to another class count', () => {
    const cfg = makeConfig('torchvision-tiny', { numClasses: 3 });
    const store = ParamStore.fromStateDict(modelParamSpecs(cfg), stateDict(tiny), {
      ignore: [/^roi_heads\.box_predictor\./, /^roi_heads\.mask_predictor\.mask_fcn_logits\./],
    });
    expect(store.get('roi_heads.box_predictor.bbox_pred.weight').shape).toEqual([64, 12]);
    store.dispose();
  });
});

describe('initialisation and folding', () => {
  beforeAll(() => useBackend('cpu'));
  afterAll(() => tf.disposeVariables());

  it('initialises as torchvision: kaiming fan-out convs, N(0, 0.01) RPN, frozen BN identity', async () => {
    const store = ParamStore.init(modelParamSpecs(makeConfig('tiny')), 1);
    const std = async (n: string): Promise<number> => Math.sqrt((await tf.moments(store.get(n)).variance.data())[0]!);
    expect(await std('rpn.head.conv.0.0.weight')).toBeCloseTo(0.01, 3);
    // mini layer2 conv: 3×3, 16 out ⇒ fan_out 144, std sqrt(2/144)
    expect(await std('backbone.body.layer2.0.weight')).toBeCloseTo(Math.sqrt(2 / 144), 2);
    expect(Array.from(await store.get('backbone.body.layer2.1.running_var').data())).toEqual(new Array(16).fill(1));
    expect(store.trainableVariables().has('backbone.body.layer2.1.running_var')).toBe(false);
    expect(store.trainableVariables().has('backbone.body.layer2.0.weight')).toBe(true);
    store.dispose();
  });

  it('pairs every body conv with its FrozenBN and nothing else', () => {
    const pairs = new Map(convBnPairs(tiny.map(([k]) => k)));
    expect(pairs.get('backbone.body.conv1.weight')).toBe('backbone.body.bn1');
    expect(pairs.get('backbone.body.layer2.0.conv3.weight')).toBe('backbone.body.layer2.0.bn3');
    expect(pairs.get('backbone.body.layer4.0.downsample.0.weight')).toBe('backbone.body.layer4.0.downsample.1');
    expect(pairs.size).toBe(1 + 4 * 4);
    const mini = new Map(convBnPairs(modelParamSpecs(makeConfig('tiny')).map((s) => s.name)));
    expect(mini.get('backbone.body.layer1.3.weight')).toBe('backbone.body.layer1.4');
    expect(mini.size).toBe(5);
    const store = ParamStore.init(modelParamSpecs(makeConfig('tiny')), 2);
    const folded = foldBatchNorms(store);
    expect(folded.folded?.('backbone.body.layer3.0.weight')?.bias.shape).toEqual([32]);
    folded.dispose();
    store.dispose();
  });
});
