import { readFileSync } from 'node:fs';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import {
  PyDict, WeightsFormatError, bfloat16ToFloat, halfToFloat, readPth, readSafetensors, unwrapStateDict, writeSafetensors,
  upgradeTorchvisionKeys, type StateDict, type TensorEntry,
} from '../src/weights/index';
import keys from './model-keys.json';
import { ZipArchive } from '../src/weights/zip';

const bytes = (p: string): Uint8Array => new Uint8Array(readFileSync(new URL(`./fixtures/weights/${p}`, import.meta.url)));
const expected = readSafetensors(bytes('dtypes_expected.safetensors'));

function raw(t: TensorEntry): Buffer {
  return Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

function expectMatchesExpected(sd: StateDict): void {
  expect([...sd.keys()]).toEqual([...expected.keys()]);
  for (const [k, want] of expected) {
    const got = sd.get(k)!;
    expect({ k, dtype: got.dtype, shape: got.shape }).toEqual({ k, dtype: want.dtype, shape: want.shape });
    expect(raw(got).equals(raw(want)), k).toBe(true);
  }
}

/** Element [i][j] of a 2-D float32 entry. */
const at = (t: TensorEntry, i: number, j: number): number => (t.data as Float32Array)[i * t.shape[1]! + j]!;

describe('dtypes, offsets and strides', () => {
  for (const file of ['dtypes.pth', 'dtypes_legacy.pth']) {
    it(`${file}: every tensor equals torch's contiguous copy`, () => {
      const sd = readPth(bytes(file));
      expectMatchesExpected(sd);
      // views of one storage agree with each other, independently of the expected file
      const tr = sd.get('f32_transposed')!;
      const rows = sd.get('f32_offset_rows')!;
      const strided = sd.get('f32_strided')!;
      expect(tr.shape).toEqual([5, 6]);
      for (let r = 0; r < 3; r++) for (let c = 0; c < 5; c++) expect(at(rows, r, c)).toBe(at(tr, c, r + 2));
      for (let a = 0; a < 3; a++) for (let b = 0; b < 2; b++) expect(at(strided, a, b)).toBe(at(tr, 1 + 2 * b, 2 * a));
      expect(sd.get('i64')!.data).toEqual(new BigInt64Array([-(2n ** 40n), 7n, 2n ** 53n + 2n, -1n]));
      expect([...sd.get('i32')!.data as Int32Array]).toEqual([-(2 ** 31), 2 ** 31 - 1, 5]);
      expect([...sd.get('u8')!.data as Uint8Array]).toEqual([250, 251, 252, 253, 254, 255]);
      expect(sd.get('bool')!.dtype).toBe('bool');
      expect([...sd.get('bool')!.data as Uint8Array]).toEqual([1, 0, 1, 1]);
      expect(sd.get('f32_scalar')).toMatchObject({ shape: [], data: new Float32Array([3.25]) });
      expect(sd.get('f32_empty')).toMatchObject({ shape: [0, 3] });
      expect(sd.get('f32_empty')!.data.length).toBe(0);
    });
  }

  it('converts float16, bfloat16 and float64 to float32 when asked', () => {
    const sd = readPth(bytes('dtypes.pth'), { toFloat32: true });
    for (const k of ['f16', 'bf16', 'f64']) expect(sd.get(k)!.dtype).toBe('float32');
    const f16 = expected.get('f16')!.data as Uint16Array;
    expect([...sd.get('f16')!.data]).toEqual([...f16].map(halfToFloat));
    const f64 = expected.get('f64')!.data as Float64Array;
    expect([...sd.get('f64')!.data]).toEqual([...f64].map(Math.fround));
    expect(sd.get('f32')!.data).toEqual(expected.get('f32')!.data);
  });

  it('decodes half and bfloat16 bit patterns', () => {
    expect([0x3c00, 0xc000, 0x7bff, 0x0001, 0x3555, 0x7c00, 0xfc00].map(halfToFloat))
      .toEqual([1, -2, 65504, 2 ** -24, 0.333251953125, Infinity, -Infinity]);
    expect(halfToFloat(0x7e00)).toBeNaN();
    expect([0x3f80, 0xc040, 0x4049].map(bfloat16ToFloat)).toEqual([1, -3, 3.140625]);
  });
});

describe('zip container variants', () => {
  const entries = (): Record<string, Uint8Array> => {
    const zip = new ZipArchive(bytes('dtypes.pth'));
    return Object.fromEntries(zip.names().map((n) => [n, zip.read(n).slice()]));
  };

  it('reads deflated entries (an archive re-packed by another tool)', () => {
    const repacked = zipSync(entries(), { level: 6 });
    const zip = new ZipArchive(repacked);
    expect([...zip.entries.values()].some((e) => e.method === 8)).toBe(true);
    expectMatchesExpected(readPth(repacked));
  });

  it('reads zip64 records and extra fields', () => {
    const z64 = zip64(entries());
    expect(z64.length).toBeGreaterThan(0);
    expectMatchesExpected(readPth(z64));
  });

  it('reports a corrupt central directory precisely', () => {
    const b = bytes('dtypes.pth').slice();
    const eocd = b.length - 22;
    new DataView(b.buffer).setUint32(eocd + 16, 7, true); // central directory offset now points into data.pkl
    expect(() => readPth(b)).toThrow(/bad central directory signature at byte 7/);
  });
});

describe('state dict helpers', () => {
  const t: TensorEntry = { dtype: 'float32', shape: [1], data: new Float32Array([2]) };

  it('unwraps nested checkpoints and strips a DataParallel prefix', () => {
    const inner = new PyDict([['module.a.weight', t], ['module.b.bias', t]]);
    const ckpt = new PyDict([['epoch', 3], ['model', new PyDict([['state_dict', inner]])]]);
    expect([...unwrapStateDict(ckpt).keys()]).toEqual(['a.weight', 'b.bias']);
    expect(() => unwrapStateDict(new PyDict([['epoch', 3]]))).toThrow(WeightsFormatError);
  });

  it('writes safetensors with every dtype, aligned data and metadata', () => {
    const out = writeSafetensors(expected, { format: 'pt' });
    const headerLen = Number(new DataView(out.buffer).getBigUint64(0, true));
    expect((8 + headerLen) % 8).toBe(0);
    const back = readSafetensors(out);
    for (const [k, v] of expected) expect(raw(back.get(k)!).equals(raw(v)), k).toBe(true);
    expect(() => writeSafetensors(new Map([['x', { ...t, shape: [2] }]]))).toThrow(/needs 8/);
  });
});

/** Builds a stored zip whose sizes and offsets all live in zip64 extra fields and records. */
function zip64(files: Record<string, Uint8Array>): Uint8Array {
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  const enc = new TextEncoder();
  for (const [name, data] of Object.entries(files)) {
    const n = enc.encode(name);
    const local = new Uint8Array(30 + n.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(26, n.length, true);
    local.set(n, 30);
    const cd = new Uint8Array(46 + n.length + 28);
    const cv = new DataView(cd.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint32(20, 0xffffffff, true);
    cv.setUint32(24, 0xffffffff, true);
    cv.setUint16(28, n.length, true);
    cv.setUint16(30, 28, true);
    cv.setUint32(42, 0xffffffff, true);
    cd.set(n, 46);
    const x = 46 + n.length;
    cv.setUint16(x, 1, true);
    cv.setUint16(x + 2, 24, true);
    cv.setBigUint64(x + 4, BigInt(data.length), true);
    cv.setBigUint64(x + 12, BigInt(data.length), true);
    cv.setBigUint64(x + 20, BigInt(offset), true);
    parts.push(local, data);
    central.push(cd);
    offset += local.length + data.length;
  }
  const cdStart = offset;
  const cdSize = central.reduce((s, c) => s + c.length, 0);
  const tail = new Uint8Array(56 + 20 + 22);
  const tv = new DataView(tail.buffer);
  tv.setUint32(0, 0x06064b50, true);
  tv.setBigUint64(24, BigInt(central.length), true);
  tv.setBigUint64(32, BigInt(central.length), true);
  tv.setBigUint64(40, BigInt(cdSize), true);
  tv.setBigUint64(48, BigInt(cdStart), true);
  tv.setUint32(56, 0x07064b50, true);
  tv.setBigUint64(64, BigInt(cdStart + cdSize), true);
  tv.setUint32(76, 0x06054b50, true);
  tv.setUint16(86, 0xffff, true);
  tv.setUint16(88, 0xffff, true);
  tv.setUint32(90, 0xffffffff, true);
  tv.setUint32(94, 0xffffffff, true);
  const all = [...parts, ...central, tail];
  const out = new Uint8Array(all.reduce((s, c) => s + c.length, 0));
  let p = 0;
  for (const c of all) { out.set(c, p); p += c.length; }
  return out;
}

describe('legacy torchvision key spelling', () => {
  it('renames pre-0.13 FPN, RPN-conv and mask-head keys to the current layout', () => {
    const current = (keys as unknown as { full: [string, number[]][] }).full.map(([k]) => k);
    // derive the old spelling from the current key list, the way torchvision's version-1 loader expects it
    const old = current.map((k) => k
      .replace(/(fpn\.(?:inner|layer)_blocks\.\d+)\.0\./, '$1.')
      .replace(/rpn\.head\.conv\.0\.0\./, 'rpn.head.conv.')
      .replace(/mask_head\.(\d+)\.0\./, (_, i: string) => `mask_head.mask_fcn${Number(i) + 1}.`));
    expect(old).toContain('backbone.fpn.inner_blocks.0.weight');
    expect(old).toContain('roi_heads.mask_head.mask_fcn4.bias');
    expect(old.filter((k, i) => k !== current[i]).length).toBe(2 * 8 + 2 + 2 * 4);
    const t: TensorEntry = { dtype: 'float32', shape: [], data: new Float32Array(1) };
    const upgraded = upgradeTorchvisionKeys(new Map(old.map((k) => [k, t])));
    expect([...upgraded.keys()]).toEqual(current);
  });
});
