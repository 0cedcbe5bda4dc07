import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  WeightsFormatError, detectFormat, loadPth, maybeGunzip, readPth, readSafetensors, readStateDict, readWeights,
  writeSafetensors, PyDict, type StateDict,
} from '../src/weights/index';
import keys from './model-keys.json';

const fixture = (p: string): string => new URL(`./fixtures/${p}`, import.meta.url).pathname;
const bytes = (p: string): Uint8Array => new Uint8Array(readFileSync(fixture(p)));
const tinyKeys = (keys as unknown as { tiny: [string, number[]][] }).tiny;

function expectSameTensors(a: StateDict, b: StateDict): void {
  expect([...a.keys()]).toEqual([...b.keys()]);
  for (const [name, x] of a) {
    const y = b.get(name)!;
    expect({ name, dtype: x.dtype, shape: x.shape }).toEqual({ name, dtype: y.dtype, shape: y.shape });
    const bx = new Uint8Array(x.data.buffer, x.data.byteOffset, x.data.byteLength);
    const by = new Uint8Array(y.data.buffer, y.data.byteOffset, y.data.byteLength);
    expect(Buffer.compare(bx, by), name).toBe(0);
  }
}

function expectRefused(run: () => unknown, pattern: RegExp): void {
  let caught: unknown;
  try { run(); } catch (err) { caught = err; }
  expect(caught).toBeInstanceOf(WeightsFormatError);
  expect((caught as Error).message).toMatch(pattern);
}

describe('tiny Mask R-CNN weights in three formats', () => {
  let zip: StateDict;
  it('reads the zip .pth with torchvision key names and shapes', async () => {
    zip = await readStateDict(fixture('tiny/tiny_maskrcnn.pth.gz'));
    expect([...zip.entries()].map(([k, v]) => [k, v.shape])).toEqual(tinyKeys);
    for (const t of zip.values()) expect(t.dtype).toBe('float32');
    // FrozenBatchNorm2d buffers must come back positive, and weights must not be all zero
    const var0 = zip.get('backbone.body.bn1.running_var')!.data as Float32Array;
    expect(Math.min(...var0)).toBeGreaterThan(0);
    const w = zip.get('backbone.body.layer4.0.downsample.0.weight')!.data as Float32Array;
    expect(w.some((v) => v !== 0)).toBe(true);
  });

  it('legacy (pre-1.6) .pth holds exactly the same tensors', async () => {
    const raw = maybeGunzip(bytes('tiny/tiny_maskrcnn_legacy.pth.gz'));
    expect(detectFormat(raw)).toBe('pth-legacy');
    expectSameTensors(readPth(raw), zip);
  });

  it('safetensors copy holds exactly the same tensors', async () => {
    const raw = maybeGunzip(bytes('tiny/tiny_maskrcnn.safetensors.gz'));
    expect(detectFormat(raw)).toBe('safetensors');
    expectSameTensors(readSafetensors(raw), zip);
  });

  it('safetensors round trip is lossless and byte-identical to the Python writer', () => {
    const raw = maybeGunzip(bytes('tiny/tiny_maskrcnn.safetensors.gz'));
    const written = writeSafetensors(zip);
    expect(Buffer.compare(written, raw)).toBe(0);
    expectSameTensors(readSafetensors(written), zip);
  });
});

describe('fine-tuned checkpoint (num_classes + 1 = 11)', () => {
  it('is unwrapped from {"model": ..., "epoch": ...} with 11-class predictors', async () => {
    const obj = loadPth(maybeGunzip(bytes('tiny/finetuned_11.pth.gz')));
    expect(obj).toBeInstanceOf(PyDict);
    expect((obj as PyDict).get('epoch')).toBe(12);
    const sd = await readStateDict(fixture('tiny/finetuned_11.pth.gz'));
    const shape = (k: string): number[] | undefined => sd.get(k)?.shape;
    expect(shape('roi_heads.box_predictor.cls_score.weight')).toEqual([11, 64]);
    expect(shape('roi_heads.box_predictor.cls_score.bias')).toEqual([11]);
    expect(shape('roi_heads.box_predictor.bbox_pred.weight')).toEqual([44, 64]);
    expect(shape('roi_heads.box_predictor.bbox_pred.bias')).toEqual([44]);
    expect(shape('roi_heads.mask_predictor.mask_fcn_logits.weight')).toEqual([11, 32, 1, 1]);
    expect(shape('roi_heads.mask_predictor.mask_fcn_logits.bias')).toEqual([11]);
    // everything else keeps the tiny architecture's shapes
    const changed = tinyKeys.filter(([k, s]) => JSON.stringify(sd.get(k)?.shape) !== JSON.stringify(s)).map(([k]) => k);
    expect(changed.sort()).toEqual([
      'roi_heads.box_predictor.bbox_pred.bias', 'roi_heads.box_predictor.bbox_pred.weight',
      'roi_heads.box_predictor.cls_score.bias', 'roi_heads.box_predictor.cls_score.weight',
      'roi_heads.mask_predictor.mask_fcn_logits.bias', 'roi_heads.mask_predictor.mask_fcn_logits.weight',
    ]);
  });
});

describe('refusals', () => {
  it('refuses a pickle that reaches os.system, naming it and its offset', () => {
    expectRefused(() => readWeights(bytes('weights/malicious_os_system.pth')), /refused global 'os\.system' at byte 2 of malicious\/data\.pkl/);
  });

  it('refuses STACK_GLOBAL posix.system in a bare pickle stream', () => {
    expectRefused(() => readWeights(bytes('weights/malicious_legacy.pth')), /refused global 'posix\.system'/);
  });

  it('refuses a torch global outside the allow list', () => {
    expectRefused(() => readWeights(bytes('weights/wrong_rebuild.pth')), /'torch\._utils\._rebuild_tensor_v3'/);
  });

  it('refuses foreign opcodes with their name and offset', () => {
    // protocol 2, then INST (0x69) — builds an arbitrary object in real pickle
    const evil = new Uint8Array([0x80, 0x02, 0x69, ...new TextEncoder().encode('os\nsystem\n'), 0x2e]);
    expectRefused(() => loadPth(evil), /refused opcode 0x69 \(INST\) at byte 2/);
  });

  it('refuses a truncated zip .pth', async () => {
    await expect(readStateDict(fixture('weights/tiny_truncated.pth.gz'))).rejects.toThrow(/end of central directory not found/);
    await expect(readStateDict(fixture('weights/tiny_truncated.pth.gz'))).rejects.toBeInstanceOf(WeightsFormatError);
  });

  it('refuses a truncated legacy .pth, naming the storage', () => {
    expectRefused(() => readWeights(bytes('weights/dtypes_legacy_truncated.pth')), /truncated file: (data|element count) of storage '\d+'/);
  });

  it('refuses a truncated safetensors file and a truncated gzip', () => {
    const raw = maybeGunzip(bytes('tiny/tiny_maskrcnn.safetensors.gz'));
    expectRefused(() => readSafetensors(raw.subarray(0, raw.length - 5)), /truncated file: safetensors tensor '/);
    expectRefused(() => readSafetensors(raw.subarray(0, 100)), /truncated file: safetensors JSON header/);
    const gz = bytes('tiny/finetuned_11.pth.gz');
    expectRefused(() => readWeights(gz.subarray(0, 1000)), /gzip: cannot inflate/);
  });

  it('refuses wrong magic numbers', () => {
    // a valid pickle (the int 5) where the legacy magic number should be
    expectRefused(() => readWeights(new Uint8Array([0x80, 0x02, 0x4b, 0x05, 0x2e])), /wrong magic number/);
    expectRefused(() => readWeights(new TextEncoder().encode('hello world, not weights')), /unrecognised weights format/);
    expectRefused(() => loadPth(new TextEncoder().encode('{"a": 1}')), /wrong magic/);
  });
});
