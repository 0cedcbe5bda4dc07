import sharp, { type Metadata } from 'sharp';

// Uploads are decoded once here: type sniffed from the bytes, EXIF orientation applied, and the
// three files the platform serves (original, web-sized copy, thumbnail) produced.

export const SUPPORTED_FORMATS = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  tiff: 'image/tiff',
  heif: 'image/avif',
  gif: 'image/gif',
} as const;

export interface ImageLimits {
  maxBytes: number;
  maxPixels: number;
}

export const DEFAULT_LIMITS: ImageLimits = { maxBytes: 50 * 1024 * 1024, maxPixels: 100_000_000 };
export const WEB_LONG_SIDE = 2048;
export const THUMB_LONG_SIDE = 256;

export class ImageInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImageInputError';
  }
}

export interface ProcessedImage {
  mimeType: string;
  /** Extension for the original's storage key. */
  ext: string;
  /** Size as the photographer saw it (after EXIF rotation). */
  width: number;
  height: number;
  original: Buffer;
  web: Buffer;
  thumb: Buffer;
}

/** Decodes `bytes` (any supported format; GIF: first frame) or throws ImageInputError saying why. */
export async function processUpload(bytes: Uint8Array, limits: ImageLimits = DEFAULT_LIMITS): Promise<ProcessedImage> {
  if (bytes.byteLength === 0) throw new ImageInputError('the file is empty');
  if (bytes.byteLength > limits.maxBytes) {
    throw new ImageInputError(`the file is ${bytes.byteLength} bytes; the limit is ${limits.maxBytes}`);
  }
  let meta: Metadata;
  try {
    // Reading the header decodes no pixels; the size limit is checked below with a clearer message.
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw new ImageInputError(`not a readable image (${(err as Error).message})`);
  }
  const format = meta.format as keyof typeof SUPPORTED_FORMATS | undefined;
  if (!format || !(format in SUPPORTED_FORMATS)) {
    throw new ImageInputError(`unsupported image type "${meta.format ?? 'unknown'}"; use JPEG, PNG, WebP, TIFF, AVIF or GIF`);
  }
  if (format === 'heif' && meta.compression !== 'av1') throw new ImageInputError('HEIC images are not supported; convert to JPEG or AVIF');
  if (!meta.width || !meta.height) throw new ImageInputError('the image has no size');
  if (meta.width * meta.height > limits.maxPixels) {
    throw new ImageInputError(`the image has ${meta.width}×${meta.height} pixels; the limit is ${limits.maxPixels} pixels`);
  }
  // Orientations 5–8 swap width and height.
  const swapped = (meta.orientation ?? 1) >= 5;
  const width = swapped ? meta.height : meta.width;
  const height = swapped ? meta.width : meta.height;
  try {
    const base = () => sharp(bytes, { limitInputPixels: limits.maxPixels, pages: 1 }).rotate();
    const [web, thumb] = await Promise.all([
      base().resize({ width: WEB_LONG_SIDE, height: WEB_LONG_SIDE, fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 88, mozjpeg: true }).toBuffer(),
      base().resize({ width: THUMB_LONG_SIDE, height: THUMB_LONG_SIDE, fit: 'inside', withoutEnlargement: true }).webp({ quality: 80 }).toBuffer(),
    ]);
    return {
      mimeType: SUPPORTED_FORMATS[format],
      ext: format === 'heif' ? 'avif' : format === 'jpeg' ? 'jpg' : format,
      width,
      height,
      original: Buffer.from(bytes),
      web,
      thumb,
    };
  } catch (err) {
    throw new ImageInputError(`the image could not be decoded (${(err as Error).message})`);
  }
}

/** Regenerates the derived files from a stored original (used by the repair job). */
export async function deriveFromOriginal(original: Uint8Array): Promise<{ web: Buffer; thumb: Buffer }> {
  const { web, thumb } = await processUpload(original, { maxBytes: Number.MAX_SAFE_INTEGER, maxPixels: DEFAULT_LIMITS.maxPixels });
  return { web, thumb };
}
