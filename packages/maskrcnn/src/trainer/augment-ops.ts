import type { TrainingSample } from './data';

// The pixel/geometry operations behind the augmentation pipeline, each a pure function of a sample and
// its already-drawn parameters. Pixels are HWC RGB floats in [0, 1]; the operations albumentations runs
// on uint8 images (equalize, JPEG) quantise as it would see them. No Node APIs: this runs in browsers.

/** [0, 1] floats → uint8 as albumentations holds them (round to nearest; NaN becomes 0). */
export function toUint8(pixels: Float32Array): Uint8Array {
  const out = new Uint8Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) out[i] = Math.round(Math.min(1, Math.max(0, pixels[i]!)) * 255);
  return out;
}

export function fromUint8(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[i]! / 255;
  return out;
}

export function flip(sample: TrainingSample, horizontal: boolean): TrainingSample {
  const { width: w, height: h } = sample;
  const pixels = new Float32Array(sample.pixels.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const sx = horizontal ? w - 1 - x : x;
      const sy = horizontal ? y : h - 1 - y;
      const o = (y * w + x) * 3;
      const s = (sy * w + sx) * 3;
      pixels[o] = sample.pixels[s]!;
      pixels[o + 1] = sample.pixels[s + 1]!;
      pixels[o + 2] = sample.pixels[s + 2]!;
    }
  }
  const g = sample.target.labels.length;
  const masks = new Uint8Array(sample.target.masks.length);
  for (let k = 0; k < g; k++) {
    const base = k * w * h;
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) masks[base + y * w + x] = sample.target.masks[base + (horizontal ? y * w + (w - 1 - x) : (h - 1 - y) * w + x)]!;
  }
  const b = sample.target.boxes;
  const boxes = new Float32Array(b.length);
  for (let k = 0; k < g; k++) {
    const [x1, y1, x2, y2] = [b[4 * k]!, b[4 * k + 1]!, b[4 * k + 2]!, b[4 * k + 3]!];
    boxes.set(horizontal ? [w - x2, y1, w - x1, y2] : [x1, h - y2, x2, h - y1], 4 * k);
  }
  return { ...sample, pixels, target: { ...sample.target, boxes, masks } };
}

/** albumentations' RandomBrightnessContrast (brightness_by_max): out = in·(1 + contrast) + brightness. */
export function brightnessContrast(sample: TrainingSample, brightness: number, contrast: number): TrainingSample {
  const pixels = new Float32Array(sample.pixels.length);
  for (let i = 0; i < pixels.length; i++) pixels[i] = Math.min(1, Math.max(0, sample.pixels[i]! * (1 + contrast) + brightness));
  return { ...sample, pixels };
}

/** albumentations' RandomGamma on [0, 1] pixels: out = in^γ. */
export function gamma(sample: TrainingSample, g: number): TrainingSample {
  const pixels = new Float32Array(sample.pixels.length);
  for (let i = 0; i < pixels.length; i++) pixels[i] = Math.pow(Math.min(1, Math.max(0, sample.pixels[i]!)), g);
  return { ...sample, pixels };
}

/** OpenCV's BORDER_REFLECT_101 (cv2.blur's default): …, 2, 1 | 0, 1, 2, … */
function reflect101(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * n - 2;
  const j = ((i % period) + period) % period;
  return j < n ? j : period - j;
}

/**
 * cv2.blur with a (2r+1)×(2r+1) box kernel, as albumentations' Blur applies it (its kernel size is a
 * random odd number): separable, reflect-101 borders, so the weights sum to 1 everywhere.
 */
export function boxBlur(sample: TrainingSample, radius: number): TrainingSample {
  const { width: w, height: h } = sample;
  const r = Math.max(0, Math.floor(radius));
  if (r === 0) return sample;
  const k = 2 * r + 1;
  const tmp = new Float32Array(sample.pixels.length);
  const src = sample.pixels;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let c = 0; c < 3; c++) {
        let s = 0;
        for (let d = -r; d <= r; d++) s += src[(y * w + reflect101(x + d, w)) * 3 + c]!;
        tmp[(y * w + x) * 3 + c] = s / k;
      }
  const pixels = new Float32Array(src.length);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let c = 0; c < 3; c++) {
        let s = 0;
        for (let d = -r; d <= r; d++) s += tmp[(reflect101(y + d, h) * w + x) * 3 + c]!;
        pixels[(y * w + x) * 3 + c] = s / k;
      }
  return { ...sample, pixels };
}

/** cv2.equalizeHist on one uint8 channel of an interleaved image, in place (OpenCV's LUT, rounding included). */
function equalizeChannel(bytes: Uint8Array, channel: number, channels: number): void {
  const hist = new Int32Array(256);
  const total = bytes.length / channels;
  for (let i = channel; i < bytes.length; i += channels) hist[bytes[i]!]!++;
  let first = 0;
  while (hist[first] === 0) first++;
  if (hist[first] === total) return; // one level only: OpenCV leaves it as it is
  const scale = 255 / (total - hist[first]!);
  const lut = new Uint8Array(256);
  let sum = 0;
  for (let i = first + 1; i < 256; i++) {
    sum += hist[i]!;
    lut[i] = Math.min(255, roundHalfEven(sum * scale));
  }
  for (let i = channel; i < bytes.length; i += channels) bytes[i] = lut[bytes[i]!]!;
}

/** cvRound: nearest, ties to even. */
function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** albumentations' Equalize (mode "cv", by_channels): histogram equalisation of each RGB channel. */
export function equalize(sample: TrainingSample): TrainingSample {
  const bytes = toUint8(sample.pixels);
  for (let c = 0; c < 3; c++) equalizeChannel(bytes, c, 3);
  return { ...sample, pixels: fromUint8(bytes) };
}

/**
 * albumentations' Resize to a fixed width × height: bilinear pixels with OpenCV's half-pixel centres,
 * masks by the nearest source pixel centre (so an integer upscale reproduces them exactly), boxes scaled
 * by the same factors, so masks and boxes stay aligned.
 */
export function resize(sample: TrainingSample, width: number, height: number): TrainingSample {
  const { width: w, height: h } = sample;
  if (w === width && h === height) return sample;
  const sx = w / width;
  const sy = h / height;
  const pixels = new Float32Array(width * height * 3);
  const src = sample.pixels;
  for (let y = 0; y < height; y++) {
    const fy = Math.min(h - 1, Math.max(0, (y + 0.5) * sy - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(h - 1, y0 + 1);
    const wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(w - 1, Math.max(0, (x + 0.5) * sx - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(w - 1, x0 + 1);
      const wx = fx - x0;
      for (let c = 0; c < 3; c++) {
        const top = src[(y0 * w + x0) * 3 + c]! * (1 - wx) + src[(y0 * w + x1) * 3 + c]! * wx;
        const bottom = src[(y1 * w + x0) * 3 + c]! * (1 - wx) + src[(y1 * w + x1) * 3 + c]! * wx;
        pixels[(y * width + x) * 3 + c] = top * (1 - wy) + bottom * wy;
      }
    }
  }
  const g = sample.target.labels.length;
  const masks = new Uint8Array(g * width * height);
  const colOf = Int32Array.from({ length: width }, (_, x) => Math.min(w - 1, Math.floor((x + 0.5) * sx)));
  for (let k = 0; k < g; k++) {
    const from = k * w * h;
    const to = k * width * height;
    for (let y = 0; y < height; y++) {
      const row = from + Math.min(h - 1, Math.floor((y + 0.5) * sy)) * w;
      for (let x = 0; x < width; x++) masks[to + y * width + x] = sample.target.masks[row + colOf[x]!]!;
    }
  }
  const boxes = new Float32Array(sample.target.boxes.length);
  for (let i = 0; i < boxes.length; i++) boxes[i] = sample.target.boxes[i]! / (i % 2 === 0 ? sx : sy);
  return { ...sample, width, height, pixels, target: { ...sample.target, boxes, masks } };
}
