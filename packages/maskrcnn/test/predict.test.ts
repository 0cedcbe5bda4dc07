// Image decoding (formats, limits, bad files) and predictImage against torchvision's reference outputs
// for the tiny fixture: COCO boxes in original pixels, scores, labels, and RLE masks.
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { matchBoxes, useBackend } from './model.synth';
import { readWeights } from '../src/weights/index';
import { makeConfig } from '../src/config/presets';
import { resizeImage } from '../src/ops/transform';
import { MaskRCNN } from '../src/model/maskrcnn';
import { decodeImage, ImageLoadError } from '../src/predict/image';
import { predictDetections, predictImage, toCocoResults, workingSize } from '../src/predict/predict';
import { renderOverlay } from '../src/predict/overlay';
import { decodeRle } from '../src/predict/rle';

const fixtureUrl = (f: string): URL => new URL(`./fixtures/${f}`, import.meta.url);
const pngBytes = new Uint8Array(readFileSync(fixtureUrl('tiny/image.png')));
const ref = readWeights(new Uint8Array(readFileSync(fixtureUrl('tiny/reference.safetensors.gz'))));
const refF32 = (k: string): Float32Array => ref.get(k)!.data as Float32Array;
const solid = (w: number, h: number, channels: 3 | 4 = 3) =>
  sharp({ create: { width: w, height: h, channels, background: { r: 10, g: 200, b: 30, alpha: 0.5 } } });

describe('decodeImage', () => {
  it('decodes the fixture PNG to exactly the pixels torchvision saw, scaled to [0, 1]', async () => {
    const img = await decodeImage(pngBytes);
    expect([img.height, img.width]).toEqual([150, 200]);
    const want = ref.get('image')!.data as Uint8Array;
    let maxErr = 0;
    for (let i = 0; i < want.length; i++) maxErr = Math.max(maxErr, Math.abs(img.data[i]! * 255 - want[i]!));
    expect(maxErr).toBeLessThan(1e-3);
  });

  it('turns grayscale 16-bit, RGBA and RGB 16-bit into 8-bit RGB', async () => {
    const cases = [
      await solid(5, 3).toColourspace('grey16').png().toBuffer(),
      await solid(5, 3, 4).png().toBuffer(),
      await solid(5, 3).toColourspace('rgb16').png().toBuffer(),
    ];
    const [grey, rgba, rgb16] = await Promise.all(cases.map((b) => decodeImage(b)));
    expect(grey!.data.length).toBe(5 * 3 * 3);
    expect(grey!.data[0]).toBe(grey!.data[1]);
    expect(grey!.data[0]).toBeGreaterThan(0.5); // mostly the green channel's luminance
    for (const im of [rgba!, rgb16!]) expect(Array.from(im.data.slice(0, 3), (v) => Math.round(v * 255))).toEqual([10, 200, 30]);
  });

  it('applies EXIF orientation and accepts a 1×1 image', async () => {
    const rotated = await solid(4, 2).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const im = await decodeImage(rotated);
    expect([im.width, im.height]).toEqual([2, 4]);
    const one = await decodeImage(await solid(1, 1).png().toBuffer());
    expect([one.width, one.height, one.data.length]).toEqual([1, 1, 3]);
  });

  it('refuses text, empty, truncated and oversized files with clear errors', async () => {
    await expect(decodeImage(new TextEncoder().encode('hello, not an image\n'))).rejects.toThrow(/not a readable image/);
    await expect(decodeImage(new Uint8Array(0))).rejects.toThrow(/empty/);
    await expect(decodeImage(pngBytes.subarray(0, pngBytes.length / 2))).rejects.toThrow(ImageLoadError);
    const huge = await sharp({ create: { width: 10000, height: 10000, channels: 3, background: '#000' } }).toColourspace('b-w').png({ compressionLevel: 1 }).toBuffer();
    await expect(decodeImage(huge)).rejects.toThrow(/10000×10000 = 100000000 pixels; the limit is 40000000/);
    await expect(decodeImage(await solid(30, 20).png().toBuffer(), { maxPixels: 599, maxBytes: 1e6 })).rejects.toThrow(/limit is 599/);
  });
});

describe('predictImage on the torchvision fixture', () => {
  let model: MaskRCNN;
  beforeAll(async () => {
    await useBackend('wasm');
    const sd = readWeights(new Uint8Array(readFileSync(fixtureUrl('tiny/tiny_maskrcnn.safetensors.gz'))), { toFloat32: true });
    model = MaskRCNN.fromStateDict(makeConfig('torchvision-tiny'), sd);
  });
  afterAll(() => model.dispose());

  it('COCO records match torchvision: xywh boxes in original pixels, scores, labels, RLE mask areas', async () => {
    const image = await decodeImage(pngBytes);
    const classes = ['cat', 'dog', 'cow'];
    const results = await predictImage({ model, classes }, image, { imageId: 7 });
    const labels = Array.from(ref.get('labels')!.data as BigInt64Array, Number);
    expect(results.length).toBe(labels.length);
    const xyxy = results.flatMap((r) => [r.bbox[0], r.bbox[1], r.bbox[0] + r.bbox[2], r.bbox[1] + r.bbox[3]]);
    const m = matchBoxes(xyxy, refF32('boxes'), 0.5, results.map((r) => r.category_id), labels);
    expect(m.fraction).toBe(1);
    const refMasks = refF32('masks');
    const plane = 150 * 200;
    let areaDiff = 0;
    let areaTotal = 0;
    for (const [a, b] of m.pairs) {
      const r = results[b]!;
      expect(r.image_id).toBe(7);
      expect(r.category_name).toBe(classes[r.category_id - 1]);
      expect(Math.abs(r.score - refF32('scores')[a]!)).toBeLessThan(1e-3);
      expect(r.segmentation.size).toEqual([150, 200]);
      const mask = decodeRle(r.segmentation);
      let want = 0;
      let got = 0;
      for (let j = 0; j < plane; j++) {
        want += refMasks[a * plane + j]! > 0.5 ? 1 : 0;
        got += mask[j]!;
      }
      areaDiff += Math.abs(got - want);
      areaTotal += want;
    }
    expect(areaTotal).toBeGreaterThan(0);
    // Pixels whose probability sits on 0.5 may flip; the sums agree to within 0.1 %.
    expect(areaDiff / areaTotal).toBeLessThan(1e-3);
  });

  it('keeps only detections at or above the score threshold, and draws an overlay of the image size', async () => {
    const image = await decodeImage(pngBytes);
    const p = { model, classes: ['cat', 'dog', 'cow'] };
    const all = await predictDetections(p, image);
    const high = await predictDetections(p, image, { scoreThreshold: 0.3 });
    const expected = all.detections.filter((d) => d.score >= 0.3).map((d) => d.score);
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(all.detections.length);
    expect(high.detections.map((d) => d.score)).toEqual(expected);
    expect(toCocoResults(high, p.classes).every((r) => r.score >= 0.3)).toBe(true);
    await expect(predictImage(p, image, { scoreThreshold: 1.5 })).rejects.toThrow(RangeError);

    const png = await renderOverlay(image, high, p.classes);
    const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([200, 150]);
    // Inside the top detection's mask the pixels are tinted; far outside every box they are untouched.
    const top = high.detections[0]!;
    const j = decodeRle(top.segmentation).indexOf(1);
    expect(j).toBeGreaterThanOrEqual(0);
    const orig = Math.round(image.data[j * 3]! * 255);
    expect(data[j * 3]).not.toBe(orig);
    const covered = new Uint8Array(200 * 150);
    for (const d of high.detections) for (let y = Math.max(0, Math.floor(d.box[1]) - 12); y < Math.min(150, d.box[3] + 3); y++) for (let x = Math.max(0, Math.floor(d.box[0]) - 3); x < Math.min(200, d.box[2] + 80); x++) covered[y * 200 + x] = 1;
    const free = covered.indexOf(0);
    expect(free).toBeGreaterThanOrEqual(0);
    expect(data[free * 3]).toBe(Math.round(image.data[free * 3]! * 255));
  });

  it('handles a 1×1 image end to end', async () => {
    const image = await decodeImage(await solid(1, 1).png().toBuffer());
    const results = await predictImage({ model, classes: ['cat', 'dog', 'cow'] }, image, { scoreThreshold: 0 });
    for (const r of results) {
      expect(r.segmentation.size).toEqual([1, 1]);
      expect(r.bbox[0]).toBeGreaterThanOrEqual(0);
      expect(r.bbox[0] + r.bbox[2]).toBeLessThanOrEqual(1);
    }
  });

  it('shrinks images whose pasted masks would exceed the memory budget, keeping original-pixel outputs', async () => {
    const image = await decodeImage(pngBytes);
    // A model that resizes to 48 px: forcing the budget shrinks the input to that size before the model.
    const small = MaskRCNN.fromStateDict(makeConfig('torchvision-tiny', { transform: { minSize: 48, maxSize: 64 } }), await model.params.toStateDict());
    try {
      expect(workingSize(150, 200, small.cfg, 1000)).toEqual([48, 64]);
      expect(workingSize(150, 200, small.cfg, 1 << 30)).toEqual([150, 200]);
      expect(workingSize(150, 200, small.cfg, (100 * 150 * 200 * 4) / 2)).toEqual([Math.round(150 * Math.sqrt(0.5)), Math.round(200 * Math.sqrt(0.5))]);
      const p = { model: small, classes: ['cat', 'dog', 'cow'] };
      const shrunk = await predictDetections(p, image, { maskBudgetBytes: 1000 });
      // Reference: the same 48×64 input given directly; the shrunk run must be it mapped back to 150×200.
      const t = tf.tidy(() => resizeImage(tf.tensor3d(image.data, [150, 200, 3]), [48, 64]));
      const direct = await predictDetections(p, { data: (await t.data()) as Float32Array, height: 48, width: 64 });
      t.dispose();
      expect(direct.detections.length).toBeGreaterThan(0);
      expect(shrunk.detections.map((d) => [d.label, d.score])).toEqual(direct.detections.map((d) => [d.label, d.score]));
      shrunk.detections.forEach((s, i) => {
        const d = direct.detections[i]!;
        const scale = [200 / 64, 150 / 48, 200 / 64, 150 / 48];
        for (let c = 0; c < 4; c++) expect(s.box[c]).toBeCloseTo(d.box[c]! * scale[c]!, 3);
        expect(s.segmentation.size).toEqual([150, 200]);
        // Each original pixel takes the mask value of the working pixel its centre falls in.
        const small48 = decodeRle(d.segmentation);
        const big = decodeRle(s.segmentation);
        let wrong = 0;
        for (let y = 0; y < 150; y++) for (let x = 0; x < 200; x++) {
          if (big[y * 200 + x] !== small48[Math.floor(((y + 0.5) * 48) / 150) * 64 + Math.floor(((x + 0.5) * 64) / 200)]) wrong++;
        }
        expect(wrong).toBe(0);
        expect(s.area).toBe(big.reduce((acc, v) => acc + v, 0));
      });
    } finally {
      small.dispose();
    }
  });
});
