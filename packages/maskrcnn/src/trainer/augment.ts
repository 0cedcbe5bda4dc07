import type { TrainingSample } from './data';

// Geometric and photometric augmentations applied per step with a seeded random source, so a run is
// reproducible. Flips move pixels, boxes and masks together.

export interface AugmentConfig {
  horizontalFlip?: number;
  verticalFlip?: number;
  brightnessContrast?: { p: number; brightness: number; contrast: number };
}

function flip(sample: TrainingSample, horizontal: boolean): TrainingSample {
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

function brightnessContrast(sample: TrainingSample, brightness: number, contrast: number): TrainingSample {
  // albumentations' RandomBrightnessContrast: out = in·(1 + contrast) + brightness (on [0, 1] pixels).
  const pixels = new Float32Array(sample.pixels.length);
  for (let i = 0; i < pixels.length; i++) pixels[i] = Math.min(1, Math.max(0, sample.pixels[i]! * (1 + contrast) + brightness));
  return { ...sample, pixels };
}

export function augment(sample: TrainingSample, cfg: AugmentConfig, random: () => number): TrainingSample {
  let s = sample;
  if (cfg.horizontalFlip && random() < cfg.horizontalFlip) s = flip(s, true);
  if (cfg.verticalFlip && random() < cfg.verticalFlip) s = flip(s, false);
  const bc = cfg.brightnessContrast;
  if (bc && random() < bc.p) s = brightnessContrast(s, (random() * 2 - 1) * bc.brightness, (random() * 2 - 1) * bc.contrast);
  return s;
}
