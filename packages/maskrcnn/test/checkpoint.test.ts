// Checkpoint directories: save → load gives the same detections; torchvision import with and without
// a new class count; every inconsistency between model.json, the weights and the config is refused.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { useBackend } from './model.synth';
import { readWeights, readSafetensors, type StateDict } from '../src/weights/index';
import { importTorchvision } from '../src/checkpoint/import-torchvision';
import { fetchCheckpoint, loadCheckpointFromBytes, readOptimizerState } from '../src/checkpoint/codec';
import { CheckpointError, MANIFEST_FILE, WEIGHTS_FILE } from '../src/checkpoint/manifest';
import { loadCheckpoint, readOptimizerFile, saveCheckpoint } from '../src/checkpoint/node';
import type { MaskRCNN } from '../src/model/maskrcnn';

const fixture = (f: string): Uint8Array => new Uint8Array(readFileSync(new URL(`./fixtures/${f}`, import.meta.url)));
const tinySd = readWeights(fixture('tiny/tiny_maskrcnn.safetensors.gz'), { toFloat32: true });
const refSd = readWeights(fixture('tiny/reference.safetensors.gz'));

function imageTensor(): tf.Tensor3D {
  const im = refSd.get('image')!;
  return tf.tidy(() => tf.div(tf.tensor3d(Float32Array.from(im.data as Uint8Array), im.shape as [number, number, number]), 255));
}

async function detectOnce(model: MaskRCNN) {
  const img = imageTensor();
  const out = await model.detect([img]);
  img.dispose();
  return out.results[0]!;
}

function expectSameValues(a: StateDict, b: StateDict, keys: string[]): void {
  for (const k of keys) {
    const x = a.get(k)!;
    const y = b.get(k)!;
    expect(y.shape, k).toEqual(x.shape);
    expect(Buffer.from((y.data as Float32Array).buffer, y.data.byteOffset, y.data.byteLength).equals(Buffer.from((x.data as Float32Array).buffer, x.data.byteOffset, x.data.byteLength)), k).toBe(true);
  }
}

describe('checkpoint directories', () => {
  let dir: string;
  beforeAll(async () => {
    await useBackend('wasm');
    dir = mkdtempSync(join(tmpdir(), 'segmenta-ckpt-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips: same torchvision-keyed weights on disk, identical detections after loading', async () => {
    const imported = importTorchvision(tinySd, { classes: ['a', 'b', 'c'] });
    expect(imported.preset).toBe('torchvision-tiny');
    expect(imported.reinitialized).toEqual([]);
    const before = await detectOnce(imported.model);
    const manifest = await saveCheckpoint(join(dir, 'rt'), imported.model, { classes: imported.classes, training: { epochs: 3 } });
    imported.model.dispose();
    expect(manifest.weights.params.length).toBe(tinySd.size - [...tinySd.keys()].filter((k) => k.endsWith('num_batches_tracked')).length);

    // On disk: torch layout under torchvision names, bit-identical to the imported file.
    const onDisk = readSafetensors(new Uint8Array(readFileSync(join(dir, 'rt', WEIGHTS_FILE))));
    expectSameValues(tinySd, onDisk, manifest.weights.params.map((p) => p.name));

    const loaded = await loadCheckpoint(join(dir, 'rt'));
    expect(loaded.classes).toEqual(['a', 'b', 'c']);
    expect(loaded.manifest.training).toEqual({ epochs: 3 });
    expect(loaded.model.cfg).toEqual(manifest.config);
    const after = await detectOnce(loaded.model);
    loaded.model.dispose();
    expect(before.scores.length).toBeGreaterThan(0);
    expect(Array.from(after.scores)).toEqual(Array.from(before.scores));
    expect(Array.from(after.boxes)).toEqual(Array.from(before.boxes));
    expect(Array.from(after.labels)).toEqual(Array.from(before.labels));
  });

  it('loads from bytes alone (the browser path) and keeps an optimizer slot', async () => {
    const { model } = importTorchvision(tinySd);
    const moment = { dtype: 'float32' as const, shape: [2], data: new Float32Array([0.25, -1]) };
    await saveCheckpoint(join(dir, 'opt'), model, { classes: ['x', 'y', 'z'], optimizer: { state: new Map([['exp_avg.rpn.head.cls_logits.bias', moment]]), kind: 'adam' } });
    model.dispose();
    const json = readFileSync(join(dir, 'opt', MANIFEST_FILE), 'utf8');
    const loaded = loadCheckpointFromBytes(json, new Uint8Array(readFileSync(join(dir, 'opt', WEIGHTS_FILE))));
    expect(loaded.classes).toEqual(['x', 'y', 'z']);
    expect(loaded.manifest.optimizer).toEqual({ file: 'optimizer.safetensors', kind: 'adam' });
    const opt = readOptimizerState((await readOptimizerFile(join(dir, 'opt'), loaded.manifest))!);
    expect(Array.from(opt.get('exp_avg.rpn.head.cls_logits.bias')!.data as Float32Array)).toEqual([0.25, -1]);
    loaded.model.dispose();
  });

  it('refuses weights that disagree with model.json, truncated weights, and a foreign manifest', async () => {
    const { model } = importTorchvision(tinySd);
    await saveCheckpoint(join(dir, 'bad'), model, { classes: ['a', 'b', 'c'] });
    model.dispose();
    const manifest = JSON.parse(readFileSync(join(dir, 'bad', MANIFEST_FILE), 'utf8'));
    const weights = new Uint8Array(readFileSync(join(dir, 'bad', WEIGHTS_FILE)));

    const lying = structuredClone(manifest);
    lying.weights.params[0].shape = [1, 2, 3];
    expect(() => loadCheckpointFromBytes(lying, weights)).toThrow(/backbone\.body\.conv1\.weight: model\.json says \[1,2,3\]/);

    expect(() => loadCheckpointFromBytes(manifest, weights.subarray(0, weights.length - 1000))).toThrow(/truncated/);
    expect(() => loadCheckpointFromBytes({ ...manifest, format: 'keras' }, weights)).toThrow(CheckpointError);
    expect(() => loadCheckpointFromBytes({ ...manifest, version: 99 }, weights)).toThrow(/unsupported version 99/);
    expect(() => loadCheckpointFromBytes({ ...manifest, classes: ['a'] }, weights)).toThrow(/class count mismatch: the model has 4 outputs/);

    // A config whose class count differs from the weights: the per-key mismatch is named.
    const wider = structuredClone(manifest);
    wider.config.numClasses = 5;
    wider.classes = ['a', 'b', 'c', 'd'];
    expect(() => loadCheckpointFromBytes(wider, weights)).toThrow(/roi_heads\.box_predictor\.cls_score\.weight: expected \[5,64\], got \[4,64\]/);

    writeFileSync(join(dir, 'bad', MANIFEST_FILE), '{"format": "segmenta-maskrcnn", ');
    await expect(loadCheckpoint(join(dir, 'bad'))).rejects.toThrow(/model\.json is not valid JSON/);
    await expect(loadCheckpoint(join(dir, 'nowhere'))).rejects.toThrow(/model\.json is missing/);
  });
});

describe('torchvision import', () => {
  beforeAll(() => useBackend('wasm'));

  it('--num-classes re-initialises exactly the box predictor and mask_fcn_logits, keeps the rest', async () => {
    const r = importTorchvision(tinySd, { numClasses: 6, classes: ['a', 'b', 'c', 'd', 'e'], seed: 3 });
    expect(r.reinitialized.sort()).toEqual([
      'roi_heads.box_predictor.bbox_pred.bias',
      'roi_heads.box_predictor.bbox_pred.weight',
      'roi_heads.box_predictor.cls_score.bias',
      'roi_heads.box_predictor.cls_score.weight',
      'roi_heads.mask_predictor.mask_fcn_logits.bias',
      'roi_heads.mask_predictor.mask_fcn_logits.weight',
    ]);
    const sd = await r.model.params.toStateDict();
    expect(sd.get('roi_heads.box_predictor.cls_score.weight')!.shape).toEqual([6, 64]);
    expect(sd.get('roi_heads.box_predictor.bbox_pred.weight')!.shape).toEqual([24, 64]);
    expect(sd.get('roi_heads.mask_predictor.mask_fcn_logits.weight')!.shape).toEqual([6, 32, 1, 1]);
    const kept = [...sd.keys()].filter((k) => !r.reinitialized.includes(k));
    expect(kept).toContain('roi_heads.mask_predictor.conv5_mask.weight');
    expectSameValues(tinySd, sd as StateDict, kept);
    // Fresh, not zero: torchvision's Linear init is U(±1/sqrt(64)).
    const w = sd.get('roi_heads.box_predictor.cls_score.weight')!.data;
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(1 / 8);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.05);
    r.model.dispose();
  });

  it('reads the class count from a nested fine-tuned .pth and names key mismatches against a wrong preset', () => {
    const ft = readWeights(fixture('tiny/finetuned_11.pth.gz'), { toFloat32: true });
    const r = importTorchvision(ft);
    expect(r.preset).toBe('torchvision-tiny');
    expect(r.model.cfg.numClasses).toBe(11);
    expect(r.classes).toEqual(Array.from({ length: 10 }, (_, i) => `class_${i + 1}`));
    r.model.dispose();

    expect(() => importTorchvision(ft, { classes: ['a', 'b'] })).toThrow(/class count mismatch: the model has 11 outputs \(10 classes \+ background\) but 2/);
    expect(() => importTorchvision(ft, { numClasses: 3, classes: ['a'] })).toThrow(/class count mismatch/);
    expect(() => importTorchvision(tinySd, { preset: 'cpu-small' })).toThrow(/do not fit the "cpu-small" architecture[\s\S]*backbone\.fpn\.inner_blocks\.0\.0\.weight: expected/);
    const noHead = new Map([...tinySd].filter(([k]) => !k.startsWith('roi_heads.box_predictor')));
    expect(() => importTorchvision(noHead)).toThrow(/not a torchvision Mask R-CNN state dict/);
  });
});

describe('browser loading', () => {
  beforeAll(() => useBackend('wasm'));

  it('fetchCheckpoint loads a model directory over HTTP', async () => {
    const { model } = importTorchvision(tinySd);
    const dir = mkdtempSync(join(tmpdir(), 'segmenta-fetch-'));
    await saveCheckpoint(dir, model, { classes: ['a', 'b', 'c'] });
    model.dispose();
    const requested: string[] = [];
    const fakeFetch = (async (url: string) => {
      requested.push(url);
      const name = url.slice('https://models.example/m1/'.length);
      if (!url.startsWith('https://models.example/m1/')) return new Response('not found', { status: 404 });
      try {
        return new Response(readFileSync(join(dir, name)));
      } catch {
        return new Response('not found', { status: 404 });
      }
    }) as unknown as typeof fetch;
    const loaded = await fetchCheckpoint('https://models.example/m1', fakeFetch);
    expect(requested).toEqual(['https://models.example/m1/model.json', 'https://models.example/m1/weights.safetensors']);
    expect(loaded.classes).toEqual(['a', 'b', 'c']);
    loaded.model.dispose();
    await expect(fetchCheckpoint('https://models.example/m2/', fakeFetch)).rejects.toThrow(/GET model\.json: HTTP 404/);
    rmSync(dir, { recursive: true, force: true });
  });

  it('the checkpoint index imports no Node built-ins or sharp (bundles for the browser)', () => {
    const seen = new Set<string>();
    const bad: string[] = [];
    const visit = (url: URL): void => {
      if (seen.has(url.href)) return;
      seen.add(url.href);
      const src = readFileSync(url, 'utf8');
      for (const m of src.matchAll(/^(?:import|export)\s[^;]*?from\s+'([^']+)'/gms)) {
        const spec = m[1]!;
        if (spec.startsWith('.')) visit(new URL(`${spec.replace(/\.(js|ts)$/, '')}.ts`, url));
        else if (spec.startsWith('node:') || ['fs', 'path', 'sharp', 'os'].includes(spec)) bad.push(`${url.pathname}: ${spec}`);
      }
    };
    visit(new URL('../src/checkpoint/index.ts', import.meta.url));
    expect(seen.size).toBeGreaterThan(10);
    expect(bad).toEqual([]);
  });
});

