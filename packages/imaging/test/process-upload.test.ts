import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { ImageInputError, processUpload, THUMB_LONG_SIDE } from '../src/process-upload';
import { renderScene } from '../src/synthetic';

async function solid(width: number, height: number, channels: 3 | 4 = 3) {
  return sharp({ create: { width, height, channels, background: channels === 4 ? { r: 10, g: 200, b: 30, alpha: 0.5 } : { r: 10, g: 200, b: 30 } } });
}

describe('processUpload', () => {
  it('applies EXIF orientation to width, height and pixels', async () => {
    // 40×20 stored, orientation 6 (rotate 90° CW) → the photographer saw 20×40.
    const left = await sharp({ create: { width: 20, height: 20, channels: 3, background: '#ff0000' } }).png().toBuffer();
    const jpeg = await (await solid(40, 20))
      .composite([{ input: left, left: 0, top: 0 }])
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const out = await processUpload(jpeg);
    expect(out.mimeType).toBe('image/jpeg');
    expect([out.width, out.height]).toEqual([20, 40]);
    const web = await sharp(out.web).metadata();
    expect([web.width, web.height]).toEqual([20, 40]);
    // The red block was at the stored left; after a 90° clockwise turn it is at the top.
    const { data } = await sharp(out.web).raw().toBuffer({ resolveWithObject: true });
    const topPixel = [data[(2 * 20 + 10) * 3], data[(2 * 20 + 10) * 3 + 1]];
    expect(topPixel[0]).toBeGreaterThan(200);
    expect(topPixel[1]).toBeLessThan(60);
  });

  it('accepts PNG with alpha, grayscale and GIF, and makes a thumbnail of at most 256 px', async () => {
    for (const [buf, mime] of [
      [await (await solid(600, 300, 4)).png().toBuffer(), 'image/png'],
      [await (await solid(64, 64)).grayscale().png().toBuffer(), 'image/png'],
      [await (await solid(50, 30)).gif().toBuffer(), 'image/gif'],
      [await (await solid(50, 30)).webp().toBuffer(), 'image/webp'],
      [await (await solid(50, 30)).tiff().toBuffer(), 'image/tiff'],
    ] as const) {
      const out = await processUpload(buf);
      expect(out.mimeType).toBe(mime);
      const t = await sharp(out.thumb).metadata();
      expect(Math.max(t.width!, t.height!)).toBeLessThanOrEqual(THUMB_LONG_SIDE);
    }
    const big = await processUpload(await (await solid(600, 300, 4)).png().toBuffer());
    expect((await sharp(big.thumb).metadata()).width).toBe(256);
  });

  it('refuses empty, non-image, truncated and oversized input with a reason', async () => {
    await expect(processUpload(new Uint8Array())).rejects.toThrow('the file is empty');
    await expect(processUpload(Buffer.from('hello, not an image'))).rejects.toBeInstanceOf(ImageInputError);
    const png = await (await solid(300, 300)).png().toBuffer();
    await expect(processUpload(png.subarray(0, png.length / 2))).rejects.toBeInstanceOf(ImageInputError);
    await expect(processUpload(png, { maxBytes: 100, maxPixels: 1e9 })).rejects.toThrow(/limit is 100/);
    await expect(processUpload(png, { maxBytes: 1e9, maxPixels: 1000 })).rejects.toThrow(/pixels/);
  });
});

describe('renderScene', () => {
  it('is deterministic for a seed and returns polygons inside the image', async () => {
    const a = await renderScene({ width: 160, height: 120, classCount: 4, seed: 7, minInstances: 2, maxInstances: 4 });
    const b = await renderScene({ width: 160, height: 120, classCount: 4, seed: 7, minInstances: 2, maxInstances: 4 });
    expect(a.png.equals(b.png)).toBe(true);
    expect(a.instances).toEqual(b.instances);
    expect(a.instances.length).toBeGreaterThanOrEqual(1);
    for (const inst of a.instances) {
      expect(inst.classIndex).toBeLessThan(4);
      for (let i = 0; i < inst.polygon.length; i += 2) {
        expect(inst.polygon[i]).toBeGreaterThanOrEqual(0);
        expect(inst.polygon[i]).toBeLessThanOrEqual(160);
        expect(inst.polygon[i + 1]).toBeLessThanOrEqual(120);
      }
    }
    const c = await renderScene({ width: 160, height: 120, classCount: 4, seed: 8 });
    expect(c.png.equals(a.png)).toBe(false);
  });

  it('draws the class colour inside each polygon', async () => {
    const scene = await renderScene({ width: 200, height: 200, classCount: 1, colors: ['#ff00ff'], seed: 3, minInstances: 1, maxInstances: 1 });
    const poly = scene.instances[0]!.polygon;
    const xs = poly.filter((_, i) => i % 2 === 0);
    const ys = poly.filter((_, i) => i % 2 === 1);
    const cx = Math.round(xs.reduce((a, b) => a + b) / xs.length);
    const cy = Math.round(ys.reduce((a, b) => a + b) / ys.length);
    const { data } = await sharp(scene.png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const o = (cy * 200 + cx) * 3;
    expect([data[o], data[o + 1], data[o + 2]]).toEqual([255, 0, 255]);
  });
});
