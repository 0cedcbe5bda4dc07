// The view maps original-image pixels to canvas (CSS) pixels: screen = image × scale + offset.
// Everything the editor stores stays in image pixels; only drawing and hit testing use the view.

export interface View {
  scale: number;
  x: number;
  y: number;
}

export interface Point {
  x: number;
  y: number;
}

export const MIN_SCALE = 0.01;
export const MAX_SCALE = 64;

export const toScreen = (v: View, p: Point): Point => ({ x: p.x * v.scale + v.x, y: p.y * v.scale + v.y });
export const toImage = (v: View, p: Point): Point => ({ x: (p.x - v.x) / v.scale, y: (p.y - v.y) / v.scale });

/** The whole image centred in the canvas with a small margin. */
export function fitView(imageW: number, imageH: number, canvasW: number, canvasH: number, margin = 16): View {
  const scale = Math.max(MIN_SCALE, Math.min((canvasW - 2 * margin) / imageW, (canvasH - 2 * margin) / imageH));
  return { scale, x: (canvasW - imageW * scale) / 2, y: (canvasH - imageH * scale) / 2 };
}

/** Zoom by `factor` keeping the image point under the screen point `at` where it is. */
export function zoomAt(v: View, at: Point, factor: number): View {
  const scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, v.scale * factor));
  const k = scale / v.scale;
  return { scale, x: at.x - (at.x - v.x) * k, y: at.y - (at.y - v.y) * k };
}

export const panBy = (v: View, dx: number, dy: number): View => ({ ...v, x: v.x + dx, y: v.y + dy });

/** Wheel delta → zoom factor; ctrl+wheel is how browsers report trackpad pinch, with small deltas. */
export function wheelFactor(deltaY: number, deltaMode: number, pinch: boolean): number {
  const px = deltaMode === 1 ? deltaY * 16 : deltaMode === 2 ? deltaY * 400 : deltaY;
  return Math.exp(-px * (pinch ? 0.01 : 0.0015));
}
