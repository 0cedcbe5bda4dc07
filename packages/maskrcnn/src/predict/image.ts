// Any image file → RGB float pixels in [0, 1], upright (EXIF applied), with size limits checked before
// decoding so a hostile header cannot make us allocate gigabytes.
import sharp, { type Metadata, type OutputInfo } from 'sharp';

export interface RgbImage {
  /** Row-major HWC, 3 channels, values in [0, 1]. */
  data: Float32Array;
  height: number;
  width: number;
}

export interface ImageLimits {
  /** Largest accepted width × height (after which the pasted masks alone would take gigabytes). */
  maxPixels: number;
  maxBytes: number;
}

export const DEFAULT_IMAGE_LIMITS: ImageLimits = { maxPixels: 40_000_000, maxBytes: 200 * 1024 * 1024 };

export class ImageLoadError extends Error {
  override readonly name = 'ImageLoadError';
}

/** Decodes image bytes: grayscale, alpha, palette and 16-bit inputs all end as 8-bit sRGB scaled to [0, 1]. */
export async function decodeImage(bytes: Uint8Array, limits: ImageLimits = DEFAULT_IMAGE_LIMITS): Promise<RgbImage> {
  if (bytes.byteLength === 0) throw new ImageLoadError('the image file is empty');
  if (bytes.byteLength > limits.maxBytes) throw new ImageLoadError(`the image file is ${bytes.byteLength} bytes; the limit is ${limits.maxBytes}`);
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw new ImageLoadError(`not a readable image: ${(err as Error).message}`);
  }
  const { width, height } = meta;
  if (!width || !height) throw new ImageLoadError('the image has zero width or height');
  if (width * height > limits.maxPixels) {
    throw new ImageLoadError(`the image is ${width}×${height} = ${width * height} pixels; the limit is ${limits.maxPixels}`);
  }
  let raw: { data: Buffer; info: OutputInfo };
  try {
    // removeAlpha drops transparency as PIL's convert('RGB') does (torchvision users' usual input).
    raw = await sharp(bytes, { limitInputPixels: limits.maxPixels, pages: 1 })
      .rotate()
      .toColourspace('srgb')
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw new ImageLoadError(`cannot decode the image (corrupt or truncated?): ${(err as Error).message}`);
  }
  const { info, data } = raw;
  if (info.channels !== 3) throw new ImageLoadError(`decoded to ${info.channels} channels, expected 3`);
  const out = new Float32Array(info.width * info.height * 3);
  for (let i = 0; i < out.length; i++) out[i] = data[i]! / 255;
  return { data: out, height: info.height, width: info.width };
}
