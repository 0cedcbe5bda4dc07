// Overlay PNG: masks tinted per class, boxes and "class score" labels drawn as SVG and composited by
// sharp. Labels use a generic font family so no font file has to ship or be fetched.
import sharp from 'sharp';
import type { RgbImage } from './image';
import { className, type Prediction } from './predict';
import { decodeRle } from './rle';

const PALETTE: ReadonlyArray<[number, number, number]> = [
  [230, 25, 75], [60, 180, 75], [255, 225, 25], [0, 130, 200], [245, 130, 48], [145, 30, 180], [70, 240, 240],
  [240, 50, 230], [210, 245, 60], [250, 190, 212], [0, 128, 128], [220, 190, 255], [170, 110, 40], [128, 0, 0],
];

export function classColor(label: number): [number, number, number] {
  return PALETTE[(label - 1 + PALETTE.length) % PALETTE.length]!;
}

const escapeXml = (s: string): string =>
  s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);

export interface OverlayOptions {
  /** Mask tint opacity, 0–1 (default 0.45). */
  alpha?: number;
}

/** The image with the prediction drawn over it, as PNG bytes. */
export async function renderOverlay(image: RgbImage, pred: Prediction, classes: readonly string[], opts: OverlayOptions = {}): Promise<Buffer> {
  const { width, height } = image;
  const alpha = opts.alpha ?? 0.45;
  const rgb = Buffer.alloc(width * height * 3);
  for (let i = 0; i < rgb.length; i++) rgb[i] = Math.round(image.data[i]! * 255);
  // Lowest score first so the most confident mask ends on top.
  const order = [...pred.detections].sort((a, b) => a.score - b.score);
  for (const d of order) {
    const [r, g, b] = classColor(d.label);
    const mask = decodeRle(d.segmentation);
    for (let j = 0; j < mask.length; j++) {
      if (!mask[j]) continue;
      const o = j * 3;
      rgb[o] = Math.round(rgb[o]! * (1 - alpha) + r * alpha);
      rgb[o + 1] = Math.round(rgb[o + 1]! * (1 - alpha) + g * alpha);
      rgb[o + 2] = Math.round(rgb[o + 2]! * (1 - alpha) + b * alpha);
    }
  }
  const font = Math.max(10, Math.round(Math.min(width, height) / 40));
  const stroke = Math.max(1, Math.round(font / 8));
  const shapes = order.map((d) => {
    const [x1, y1, x2, y2] = d.box;
    const [r, g, b] = classColor(d.label);
    const color = `rgb(${r},${g},${b})`;
    const text = escapeXml(`${className(classes, d.label)} ${d.score.toFixed(2)}`);
    const ty = y1 > font + 2 ? y1 - 3 : y1 + font + 1;
    return (
      `<rect x="${x1.toFixed(1)}" y="${y1.toFixed(1)}" width="${(x2 - x1).toFixed(1)}" height="${(y2 - y1).toFixed(1)}" fill="none" stroke="${color}" stroke-width="${stroke}"/>` +
      `<text x="${(x1 + 2).toFixed(1)}" y="${ty.toFixed(1)}" font-family="sans-serif" font-size="${font}" fill="${color}" stroke="black" stroke-width="${stroke / 3}" paint-order="stroke">${text}</text>`
    );
  });
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${shapes.join('')}</svg>`;
  return sharp(rgb, { raw: { width, height, channels: 3 } })
    .composite([{ input: Buffer.from(svg), top: 0, left: 0 }])
    .png()
    .toBuffer();
}
