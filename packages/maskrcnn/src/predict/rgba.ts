// Canvas pixels (RGBA bytes, as ImageData holds them) → the model's RGB input. No sharp: browsers
// decode images themselves.
import type { RgbImage } from './image';

/** Drops alpha (as decodeImage does) and scales to [0, 1]. */
export function rgbImageFromRgba(rgba: ArrayLike<number>, width: number, height: number): RgbImage {
  if (rgba.length !== width * height * 4) throw new RangeError(`RGBA data holds ${rgba.length} values, ${width}×${height}×4 expected`);
  const data = new Float32Array(width * height * 3);
  for (let i = 0, o = 0; i < rgba.length; i += 4, o += 3) {
    data[o] = rgba[i]! / 255;
    data[o + 1] = rgba[i + 1]! / 255;
    data[o + 2] = rgba[i + 2]! / 255;
  }
  return { data, height, width };
}
