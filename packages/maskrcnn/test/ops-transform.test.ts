// GeneralizedRCNNTransform pieces and paste_masks_in_image against torchvision 0.14
// (fixtures/make_ops_fixtures.py), tensor parts on the cpu and wasm backends.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-cpu';
import { batchImages, resizeBoxes, resizedSize, transformImages, type Size } from '../src/ops/transform';
import { expandBoxes, pasteMasksInImage } from '../src/ops/paste-masks';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const load = (name: string): any =>
  JSON.parse(readFileSync(new URL(`./fixtures/ops/${name}`, import.meta.url), 'utf8'));

function maxAbsErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < b.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

const tr = load('transform.json');

describe('resize rule', () => {
  for (const s of tr.sizes) {
    it(`${s.in[0]}x${s.in[1]} with min ${s.minSize} / max ${s.maxSize} -> ${s.out[0]}x${s.out[1]}`, () => {
      expect(resizedSize(s.in[0], s.in[1], s.minSize, s.maxSize)).toEqual(s.out);
    });
  }
});

describe('resize boxes back to the original size', () => {
  it('matches torchvision resize_boxes', () => {
    const out = resizeBoxes(Float32Array.from(tr.boxes), tr.postFrom, tr.postTo);
    expect(maxAbsErr(out, tr.postBoxes)).toBeLessThan(1e-5);
  });
});

for (const backend of ['cpu', 'wasm']) {
  describe(`transform on ${backend}`, () => {
    it('normalise + bilinear resize + pad matches GeneralizedRCNNTransform', async () => {
      await tf.setBackend(backend);
      await tf.ready();
      const inputs = tr.images.map((im: { input: number[]; inputSize: number[] }) =>
        tf.tensor3d(im.input, [im.inputSize[0]!, im.inputSize[1]!, 3]),
      );
      const out = transformImages(inputs, { minSize: tr.minSize, maxSize: tr.maxSize, imageMean: tr.mean, imageStd: tr.std });
      const [n, c, h, w] = tr.batchShape as number[];
      expect(out.images.shape).toEqual([n, h, w, c]);
      expect(out.originalSizes).toEqual(tr.images.map((im: { inputSize: Size }) => im.inputSize));
      const data = await out.images.data();
      tr.images.forEach((im: { size: Size; output: number[] }, i: number) => {
        expect(out.imageSizes[i]).toEqual(im.size);
        const [ih, iw] = im.size;
        const got: number[] = [];
        let padMax = 0;
        for (let y = 0; y < h!; y++)
          for (let x = 0; x < w!; x++)
            for (let ch = 0; ch < c!; ch++) {
              const v = data[((i * h! + y) * w! + x) * c! + ch]!;
              if (y < ih && x < iw) got.push(v);
              else padMax = Math.max(padMax, Math.abs(v));
            }
        expect(maxAbsErr(got, im.output)).toBeLessThan(1e-4);
        expect(padMax).toBe(0);
      });
      tf.dispose([...inputs, out.images]);
    });
    it('pads to a multiple of sizeDivisible', async () => {
      await tf.setBackend(backend);
      const b = batchImages([tf.ones([33, 20, 3]), tf.ones([10, 65, 3])], 32);
      expect(b.shape).toEqual([2, 64, 96, 3]);
      expect((await tf.sum(b).data())[0]).toBe((33 * 20 + 10 * 65) * 3);
    });
  });
}

describe('paste masks', () => {
  const pm = load('paste_masks.json');
  it('matches torchvision paste_masks_in_image', () => {
    const out = pasteMasksInImage(Float32Array.from(pm.masks), pm.maskSize, Float32Array.from(pm.boxes), pm.imageSize);
    expect(maxAbsErr(out, pm.pasted)).toBeLessThan(1e-5);
    // the fixture really pastes something for most boxes (guards against an all-zero pass)
    const [h, w] = pm.imageSize as [number, number];
    let nonEmpty = 0;
    for (let k = 0; k < pm.boxes.length / 4; k++) if (out.subarray(k * h * w, (k + 1) * h * w).some((v) => v > 0)) nonEmpty++;
    expect(nonEmpty).toBeGreaterThanOrEqual(5);
  });
  it('expands boxes about their centre', () => {
    expect(Array.from(expandBoxes(new Float32Array([0, 0, 28, 14]), 30 / 28))).toEqual([-1, -0.5, 29, 14.5]);
  });
});
