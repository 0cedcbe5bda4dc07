// Polygon → mask exactly as pycocotools' frPoly rasterises it, so areas and IoUs agree with COCO's.
//
// How frPoly works (facts, re-expressed): vertices are scaled by 5 and rounded; every edge is walked
// one upsampled step at a time along its major axis, giving a dense list of integer boundary points.
// Wherever that walk crosses a pixel-centre column (x = c + 0.5 in image units), the crossing's y,
// mapped back down and rounded up, toggles the column between outside and inside. Those toggle
// positions, laid out column-major and sorted, are the RLE counts. Pixel c therefore covers
// [c, c+1) and is inside when its centre is; a polygon along pixel corners reproduces the pixels.

import type { Ring } from './geometry';
import { compressRle, countsToString, mergeRles, rleArea, type AnyRle, type Rle } from './rle';

const SCALE = 5;

/** C's (int) cast: truncation toward zero. */
const toInt = Math.trunc;

/** Dense boundary points of the upsampled polygon (frPoly's first stage). */
function upsampledBoundary(ring: Ring): { u: number[]; v: number[] } {
  const k = Math.floor(ring.length / 2);
  const x: number[] = [];
  const y: number[] = [];
  for (let j = 0; j < k; j++) {
    x.push(toInt(SCALE * ring[2 * j]! + 0.5));
    y.push(toInt(SCALE * ring[2 * j + 1]! + 0.5));
  }
  x.push(x[0]!);
  y.push(y[0]!);
  const u: number[] = [];
  const v: number[] = [];
  for (let j = 0; j < k; j++) {
    let xs = x[j]!, xe = x[j + 1]!, ys = y[j]!, ye = y[j + 1]!;
    const dx = Math.abs(xe - xs);
    const dy = Math.abs(ys - ye);
    // Each edge is walked from its lower end along the major axis, then the points are emitted in
    // the edge's original direction, so the rounding does not depend on the winding.
    const flip = (dx >= dy && xs > xe) || (dx < dy && ys > ye);
    if (flip) {
      [xs, xe] = [xe, xs];
      [ys, ye] = [ye, ys];
    }
    if (dx >= dy) {
      const s = dx === 0 ? 0 : (ye - ys) / dx;
      for (let d = 0; d <= dx; d++) {
        const t = flip ? dx - d : d;
        u.push(t + xs);
        v.push(toInt(ys + s * t + 0.5));
      }
    } else {
      const s = (xe - xs) / dy;
      for (let d = 0; d <= dy; d++) {
        const t = flip ? dy - d : d;
        v.push(t + ys);
        u.push(toInt(xs + s * t + 0.5));
      }
    }
  }
  return { u, v };
}

/** Column-major RLE counts of one ring rasterised as pycocotools does. */
export function ringToCounts(ring: Ring, height: number, width: number): number[] {
  const { u, v } = upsampledBoundary(ring);
  const toggles: number[] = [];
  for (let j = 1; j < u.length; j++) {
    if (u[j] === u[j - 1]) continue;
    let xd = u[j]! < u[j - 1]! ? u[j]! : u[j]! - 1;
    xd = (xd + 0.5) / SCALE - 0.5;
    if (Math.floor(xd) !== xd || xd < 0 || xd > width - 1) continue;
    let yd = Math.min(v[j]!, v[j - 1]!);
    yd = (yd + 0.5) / SCALE - 0.5;
    yd = Math.ceil(yd < 0 ? 0 : yd > height ? height : yd);
    toggles.push(xd * height + yd);
  }
  toggles.push(height * width);
  toggles.sort((a, b) => a - b);
  // Sorted positions → run lengths. A zero-length run means two toggles at one pixel; they cancel,
  // so the following run is folded into the previous one.
  const diffs: number[] = [];
  let prev = 0;
  for (const t of toggles) {
    diffs.push(t - prev);
    prev = t;
  }
  const counts: number[] = [diffs[0]!];
  for (let j = 1; j < diffs.length; ) {
    if (diffs[j]! > 0) counts.push(diffs[j++]!);
    else {
      j++;
      if (j < diffs.length) counts[counts.length - 1]! += diffs[j++]!;
    }
  }
  return counts;
}

export function ringToRle(ring: Ring, height: number, width: number): Rle {
  return { size: [height, width], counts: countsToString(ringToCounts(ring, height, width)) };
}

/**
 * Mask of a COCO polygon segmentation (several rings = one instance): each ring is rasterised and
 * the results are united, as pycocotools' annToRLE does. Overlapping rings do not cut holes.
 */
export function polygonsToRle(rings: readonly Ring[], height: number, width: number): Rle {
  if (rings.length === 0) return { size: [height, width], counts: countsToString([height * width]) };
  return mergeRles(rings.map((r) => ringToRle(r, height, width)));
}

/**
 * Pixel area of a polygon segmentation as pycocotools computes it. One ring (the usual case) is
 * summed straight from its runs, skipping the string encoding a full RLE needs.
 */
export function polygonsRasterArea(rings: readonly Ring[], height: number, width: number): number {
  if (rings.length !== 1) return rleArea(polygonsToRle(rings, height, width));
  const counts = ringToCounts(rings[0]!, height, width);
  let area = 0;
  for (let i = 1; i < counts.length; i += 2) area += counts[i]!;
  return area;
}

/** Mask of a box [x, y, w, h], rasterised as its four-corner polygon (pycocotools' frBbox). */
export function bboxToRle(box: readonly number[], height: number, width: number): Rle {
  const [x, y, w, h] = box as [number, number, number, number];
  return ringToRle([x, y, x, y + h, x + w, y + h, x + w, y], height, width);
}

/**
 * Compressed RLE of any COCO segmentation, as pycocotools' annToRLE. Quirk kept on purpose: when
 * the first ring has exactly 4 numbers, pycocotools reads every ring as a box [x, y, w, h].
 */
export function segmentationToRle(seg: readonly Ring[] | AnyRle, height: number, width: number): Rle {
  if (Array.isArray(seg)) {
    const rings = seg as readonly Ring[];
    if (rings[0]?.length === 4) return mergeRles(rings.map((b) => bboxToRle(b, height, width)));
    return polygonsToRle(rings, height, width);
  }
  return compressRle(seg as AnyRle);
}
