// No tensor may outlive a prediction: 100 predictImage calls leave tf.memory().numTensors unchanged.
// The fixture's weights run on a shrunken input size so the 100 calls take seconds.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { useBackend } from './model.synth';
import { readWeights } from '../src/weights/index';
import { makeConfig } from '../src/config/presets';
import { MaskRCNN } from '../src/model/maskrcnn';
import { predictImage } from '../src/predict/predict';
import type { RgbImage } from '../src/predict/image';

describe('predictImage memory', () => {
  let model: MaskRCNN;
  beforeAll(async () => {
    await useBackend('wasm');
    const sd = readWeights(new Uint8Array(readFileSync(new URL('./fixtures/tiny/tiny_maskrcnn.safetensors.gz', import.meta.url))), { toFloat32: true });
    const cfg = makeConfig('torchvision-tiny', {
      transform: { minSize: 48, maxSize: 64 },
      rpn: { preNmsTopNTest: 100, postNmsTopNTest: 50 },
      roiHeads: { detectionsPerImage: 5 },
    });
    model = MaskRCNN.fromStateDict(cfg, sd);
  });
  afterAll(() => model.dispose());

  it('numTensors is unchanged after 100 predictions', async () => {
    // Every 5th row, first 32 columns of the fixture image: real content, so there is something to detect.
    const ref = readWeights(new Uint8Array(readFileSync(new URL('./fixtures/tiny/reference.safetensors.gz', import.meta.url)))).get('image')!;
    const [h, w] = [24, 32];
    const data = new Float32Array(h * w * 3);
    for (let y = 0; y < h; y++) for (let x = 0; x < w * 3; x++) data[y * w * 3 + x] = (ref.data as Uint8Array)[y * 5 * 200 * 3 + x * 1]! / 255;
    const image: RgbImage = { data, height: h, width: w };
    const p = { model, classes: ['a', 'b', 'c'] };
    await predictImage(p, image); // first call folds the batch norms (kept for the model's lifetime)
    const start = tf.memory().numTensors;
    let detections = 0;
    for (let i = 0; i < 100; i++) detections += (await predictImage(p, image, { scoreThreshold: 0 })).length;
    expect(detections).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(start);
  });

  it('a failing prediction leaks nothing either', async () => {
    const start = tf.memory().numTensors;
    await expect(predictImage({ model, classes: ['a', 'b', 'c'] }, { data: new Float32Array(5), height: 2, width: 2 })).rejects.toThrow(/image data holds 5 values/);
    expect(tf.memory().numTensors).toBe(start);
  });
});
