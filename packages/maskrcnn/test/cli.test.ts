// The segmenta-model CLI as users run it: a child process through bin/segmenta-model.mjs. Checks the
// exit codes (0 ok, 1 failure, 2 usage), the files it writes, and the COCO results it prints.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matchBoxes } from './model.synth';
import { readWeights } from '../src/weights/index';
import { decodeRle } from '../src/predict/rle';

const BIN = fileURLToPath(new URL('../bin/segmenta-model.mjs', import.meta.url));
const fx = (f: string): string => fileURLToPath(new URL(`./fixtures/${f}`, import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('segmenta-model CLI', () => {
  let dir: string;
  const model = (): string => join(dir, 'tiny');
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'segmenta-cli-'));
    const r = await cli('import', '--torchvision', fx('tiny/tiny_maskrcnn.pth.gz'), '--out', model(), '--classes', 'cat,dog,cow');
    expect(r.stderr).toMatch(/backend: wasm/);
    expect(r.code).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints help with status 0, and usage errors exit with 2', async () => {
    const [help, none, unknownCmd, unknownOpt, missing, badThreshold, badN, badThreads] = await Promise.all([
      cli('--help'),
      cli(),
      cli('frobnicate'),
      cli('predict', '--model', model(), '--image', fx('tiny/image.png'), '--bogus'),
      cli('predict', '--image', fx('tiny/image.png')),
      cli('predict', '--model', model(), '--image', fx('tiny/image.png'), '--score-threshold', 'high'),
      cli('import', '--torchvision', fx('tiny/tiny_maskrcnn.pth.gz'), '--out', join(dir, 'n1'), '--num-classes', '1'),
      cli('predict', '--model', model(), '--image', fx('tiny/image.png'), '--threads', '0'),
    ]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Commands:[\s\S]*import[\s\S]*predict/);
    expect(none.code).toBe(2);
    expect(unknownCmd).toMatchObject({ code: 2, stderr: expect.stringMatching(/unknown command "frobnicate"/) });
    expect(unknownOpt).toMatchObject({ code: 2, stderr: expect.stringMatching(/Unknown option '--bogus'[\s\S]*Usage: segmenta-model predict/) });
    expect(missing).toMatchObject({ code: 2, stderr: expect.stringMatching(/--model is required/) });
    expect(badThreshold).toMatchObject({ code: 2, stderr: expect.stringMatching(/--score-threshold must be a number in \[0, 1\], got "high"/) });
    expect(badN).toMatchObject({ code: 2, stderr: expect.stringMatching(/--num-classes must be an integer ≥ 2/) });
    expect(badThreads).toMatchObject({ code: 2, stderr: expect.stringMatching(/--threads must be an integer from 1 to 8, got "0"/) });
  });

  it('import writes model.json with the classes; --num-classes re-heads the model', async () => {
    const manifest = JSON.parse(readFileSync(join(model(), 'model.json'), 'utf8'));
    expect(manifest).toMatchObject({ format: 'segmenta-maskrcnn', version: 1, classes: ['cat', 'dog', 'cow'], config: { numClasses: 4 } });
    const out = join(dir, 'six');
    const r = await cli('import', '--torchvision', fx('tiny/tiny_maskrcnn.pth.gz'), '--out', out, '--num-classes', '6', '--classes', 'a,b,c,d,e');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/re-initialised roi_heads\.box_predictor\.cls_score\.weight/);
    const six = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8'));
    expect(six.config.numClasses).toBe(6);
    expect(six.source.reinitialized).toHaveLength(6);
    const w = readWeights(new Uint8Array(readFileSync(join(out, 'weights.safetensors'))));
    expect(w.get('roi_heads.mask_predictor.mask_fcn_logits.weight')!.shape).toEqual([6, 32, 1, 1]);
    // Refuses to overwrite without --force.
    const again = await cli('import', '--torchvision', fx('tiny/tiny_maskrcnn.pth.gz'), '--out', out);
    expect(again).toMatchObject({ code: 1, stderr: expect.stringMatching(/already holds a model.*--force/) });
  });

  it('predict writes COCO results in original pixels, RLE masks, and an overlay PNG', async () => {
    const json = join(dir, 'out.json');
    const overlay = join(dir, 'overlay.png');
    const r = await cli('predict', '--model', model(), '--image', fx('tiny/image.png'), '--json', json, '--overlay', overlay, '--image-id', '42');
    expect(r.stderr).toMatch(/backend: wasm/);
    expect(r.code).toBe(0);
    const results = JSON.parse(readFileSync(json, 'utf8')) as Array<Record<string, unknown>>;
    const ref = readWeights(new Uint8Array(readFileSync(fx('tiny/reference.safetensors.gz'))));
    const refLabels = Array.from(ref.get('labels')!.data as BigInt64Array, Number);
    expect(results.length).toBe(refLabels.length);
    for (const res of results) {
      expect(Object.keys(res).sort()).toEqual(['bbox', 'category_id', 'category_name', 'image_id', 'score', 'segmentation']);
      expect(res['image_id']).toBe(42);
      expect(['cat', 'dog', 'cow'][(res['category_id'] as number) - 1]).toBe(res['category_name']);
      const [x, y, w, h] = res['bbox'] as number[];
      expect(x! >= 0 && y! >= 0 && w! > 0 && h! > 0 && x! + w! <= 200.01 && y! + h! <= 150.01).toBe(true);
      const seg = res['segmentation'] as { size: [number, number]; counts: string };
      expect(seg.size).toEqual([150, 200]);
      expect(typeof seg.counts).toBe('string');
    }
    // Boxes are torchvision's, in the 200×150 original (not the 213×160 resized) frame.
    const xyxy = results.flatMap((res) => {
      const [x, y, w, h] = res['bbox'] as number[];
      return [x!, y!, x! + w!, y! + h!];
    });
    expect(matchBoxes(xyxy, ref.get('boxes')!.data as Float32Array, 0.5, results.map((res) => res['category_id'] as number), refLabels).fraction).toBe(1);
    const area = decodeRle(results[0]!['segmentation'] as { size: [number, number]; counts: string }).reduce((a, b) => a + b, 0);
    expect(area).toBeGreaterThan(0);
    const meta = await sharp(readFileSync(overlay)).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 200, 150]);
  });

  it('a --score-threshold below the saved 0.05 reports the detections between them', async () => {
    const r = await cli('predict', '--model', model(), '--image', fx('tiny/image.png'), '--score-threshold', '0.01');
    expect(r.code).toBe(0);
    const scores = (JSON.parse(r.stdout) as Array<{ score: number }>).map((x) => x.score);
    const refCount = readWeights(new Uint8Array(readFileSync(fx('tiny/reference.safetensors.gz')))).get('scores')!.shape[0]!;
    expect(scores.length).toBeGreaterThan(refCount);
    expect(Math.min(...scores)).toBeGreaterThanOrEqual(0.01);
    expect(Math.min(...scores)).toBeLessThan(0.05);
  });

  it('predict on a 1×1 image prints JSON to stdout', async () => {
    const one = join(dir, 'one.png');
    writeFileSync(one, await sharp({ create: { width: 1, height: 1, channels: 3, background: '#808080' } }).png().toBuffer());
    const r = await cli('predict', '--model', model(), '--image', one, '--score-threshold', '0.3');
    expect(r.code).toBe(0);
    const results = JSON.parse(r.stdout) as Array<{ score: number; segmentation: { size: number[] } }>;
    expect(Array.isArray(results)).toBe(true);
    for (const res of results) {
      expect(res.score).toBeGreaterThanOrEqual(0.3);
      expect(res.segmentation.size).toEqual([1, 1]);
    }
  });

  it('bad inputs fail with status 1 and say why', async () => {
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'not an image\n');
    const corrupt = join(dir, 'corrupt.png');
    writeFileSync(corrupt, readFileSync(fx('tiny/image.png')).subarray(0, 5000));
    const imp = (file: string, ...rest: string[]) => cli('import', '--torchvision', file, '--out', join(dir, 'never'), ...rest);
    const runs = await Promise.all([
      cli('predict', '--model', model(), '--image', text),
      cli('predict', '--model', model(), '--image', corrupt),
      cli('predict', '--model', join(dir, 'missing'), '--image', fx('tiny/image.png')),
      imp(fx('weights/tiny_truncated.pth.gz')),
      imp(fx('weights/malicious_os_system.pth')),
      imp(fx('weights/malicious_legacy.pth')),
      imp(fx('tiny/tiny_maskrcnn.pth.gz'), '--classes', 'cat,dog'),
      imp(fx('tiny/tiny_maskrcnn.pth.gz'), '--num-classes', '5', '--classes', 'cat,dog'),
    ]);
    const want = [
      /not a readable image/,
      /cannot decode the image \(corrupt or truncated\?\)/,
      /missing.*is not a Segmenta model directory: model\.json is missing/,
      /cannot import .*tiny_truncated\.pth\.gz: .*truncated/,
      /refused global 'os\.system'/,
      /refused global 'posix\.system'/,
      /class count mismatch: the model has 4 outputs \(3 classes \+ background\) but 2 class names/,
      /class count mismatch: the model has 5 outputs/,
    ];
    runs.forEach((r, i) => {
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(want[i]!);
      expect(r.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
    });
  });
});
