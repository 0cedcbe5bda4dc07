// Polygon → mask exactly as pycocotools' frPoly rasterises it, so areas and IoUs agree with COCO's.
//
// How frPoly works (facts, re-expressed): vertices are scaled by 5 and rounded; every edge is walked
// one upsampled step at a time along its major axis, giving a dense list of integer boundary points.
// Wherever that walk crosses a pixel-centre column (x = c + 0.5 in image units), the crossing's y,
// mapped back down and rounded up, toggles the column between outside and inside. Those toggle
// positions, laid out column-major and sorted, are the RLE counts. Pixel c therefore covers
// [c, c+1) and is inside when its centre is; a polygon along pixel corners reproduces the pixels.

import type { Ring } from './geometry';
import { checkCounts, compactCounts, compressRle, countsToString, mergeCounts, stringToCompactCounts, type AnyRle, type CountsArray, type Rle } from './rle';

const SCALE = 5;

/** C's (int) cast: truncation toward zero. */
const toInt = Math.trunc;

/** Reused across calls (grown on demand): the upsampled vertices and the toggle positions of the ring being rasterised. */
let vertexX = new Float64Array(256);
let vertexY = new Float64Array(256);
let toggleBuffer = new Float64Array(4096);

/**
 * Where one step of the boundary walk, from (pu, pv) to (u, v), toggles the mask (column-major
 * pixel index), or -1: a step toggles a column when it crosses that column's pixel centre.
 */
function toggleAt(pu: number, pv: number, u: number, v: number, height: number, width: number): number {
  if (u === pu) return -1;
  // frPoly's column is (x + .5) / 5 - .5 with x = u, or u - 1 when the step goes right; for an
  // integer x that is an integer exactly when x ≡ 2 (mod 5), and then equals (x - 2) / 5 exactly.
  const xd = ((u < pu ? u : u - 1) - 2) / SCALE;
  if (Math.floor(xd) !== xd || xd < 0 || xd > width - 1) return -1;
  return xd * height + rowOf(v < pv ? v : pv, height);
}

/** The row where a toggle at upsampled y lands: rounded up, clamped to [0, height]. */
function rowOf(y: number, height: number): number {
  const yd = (y + 0.5) / SCALE - 0.5;
  return Math.ceil(yd < 0 ? 0 : yd > height ? height : yd);
}

/** Reused by sortToggles. */
let bucketStart = new Int32Array(1024);
let sortScratch = new Float64Array(4096);

/**
 * The first m toggle positions, sorted ascending (returned as a view of the same buffer). A
 * counting sort by column then an insertion sort, which only has to fix the order inside each
 * column (a handful of toggles): several times faster than TypedArray.sort on these sizes.
 */
function sortToggles(toggles: Float64Array, m: number, height: number): Float64Array {
  const out = toggles.subarray(0, m);
  if (m > 32) {
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < m && height > 0; i++) {
      const b = Math.floor(out[i]! / height);
      if (b < lo) lo = b;
      if (b > hi) hi = b;
    }
    const buckets = hi - lo + 1;
    // Columns spread far wider than the toggles (or a zero-height mask): a general sort.
    if (!(height > 0 && buckets <= 4 * m)) return out.sort();
    if (bucketStart.length < buckets + 1) bucketStart = new Int32Array(Math.max(buckets + 1, 2 * bucketStart.length));
    if (sortScratch.length < m) sortScratch = new Float64Array(Math.max(m, 2 * sortScratch.length));
    const start = bucketStart;
    start.fill(0, 0, buckets + 1);
    for (let i = 0; i < m; i++) start[Math.floor(out[i]! / height) - lo + 1]!++;
    for (let b = 1; b <= buckets; b++) start[b]! += start[b - 1]!;
    const scratch = sortScratch;
    for (let i = 0; i < m; i++) scratch[start[Math.floor(out[i]! / height) - lo]!++] = out[i]!;
    out.set(scratch.subarray(0, m));
  }
  for (let i = 1; i < m; i++) {
    const v = out[i]!;
    let j = i - 1;
    while (j >= 0 && out[j]! > v) {
      out[j + 1] = out[j]!;
      j--;
    }
    out[j + 1] = v;
  }
  return out;
}

/** a mod 5 in [0, 5), for negative a too. */
const mod5 = (a: number) => ((a % SCALE) + SCALE) % SCALE;

/**
 * Column-major RLE counts of one ring rasterised as pycocotools does, as a compact array. The dense upsampled boundary is walked point by point and each
 * step becomes a toggle on the spot, without storing the walk.
 */
export function ringToCountsArray(ring: Ring, height: number, width: number): CountsArray {
  const k = Math.floor(ring.length / 2);
  if (vertexX.length < k + 1) {
    vertexX = new Float64Array(2 * (k + 1));
    vertexY = new Float64Array(2 * (k + 1));
  }
  const x = vertexX;
  const y = vertexY;
  for (let j = 0; j < k; j++) {
    x[j] = toInt(SCALE * ring[2 * j]! + 0.5);
    y[j] = toInt(SCALE * ring[2 * j + 1]! + 0.5);
  }
  x[k] = x[0]!;
  y[k] = y[0]!;
  let points = 1;
  for (let j = 0; j < k; j++) points += Math.max(Math.abs(x[j + 1]! - x[j]!), Math.abs(y[j + 1]! - y[j]!)) + 1;
  if (toggleBuffer.length < points) toggleBuffer = new Float64Array(Math.max(points, 2 * toggleBuffer.length));
  const toggles = toggleBuffer;
  let m = 0;
  let pu = 0, pv = 0; // the previous boundary point
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
      // Along x every step moves one upsampled column, and only steps whose lower column x has
      // x ≡ 2 (mod 5) cross a pixel centre; those are visited directly, a fifth of the walk.
      const s = dx === 0 ? 0 : (ye - ys) / dx;
      const tFirst = flip ? dx : 0;
      const vFirst = toInt(ys + s * tFirst + 0.5);
      if (j > 0) {
        const at = toggleAt(pu, pv, tFirst + xs, vFirst, height, width);
        if (at >= 0) toggles[m++] = at;
      }
      // Unflipped, points t - 1 → t step right (x = xs + t - 1); flipped, t + 1 → t step left
      // (x = xs + t). `back` is where the step came from relative to t.
      const back = flip ? 1 : -1;
      const lower = flip ? 0 : -1;
      const from = flip ? 0 : 1;
      const to = flip ? dx - 1 : dx;
      let t = from + mod5(2 - xs - lower - from);
      for (; t <= to; t += SCALE) {
        const xd = (xs + t + lower - 2) / SCALE;
        if (xd < 0 || xd > width - 1) continue;
        const va = toInt(ys + s * t + 0.5);
        const vb = toInt(ys + s * (t + back) + 0.5);
        toggles[m++] = xd * height + rowOf(va < vb ? va : vb, height);
      }
      pu = flip ? xs : xs + dx;
      pv = flip ? toInt(ys + 0.5) : toInt(ys + s * dx + 0.5);
    } else {
      // Along y the column u(t) = trunc(xs + s·t + .5) is monotone and moves by at most one per
      // step, so each column boundary x → x + 1 is crossed exactly once; only those with
      // x ≡ 2 (mod 5) toggle. Each crossing step is found from an estimate, corrected by walking
      // the exact formula, instead of walking the whole edge.
      const s = (xe - xs) / dy;
      const uStart = toInt(xs + 0.5);
      const uEnd = toInt(xs + s * dy + 0.5);
      if (j > 0) {
        const tFirst = flip ? dy : 0;
        const at = toggleAt(pu, pv, flip ? uEnd : uStart, tFirst + ys, height, width);
        if (at >= 0) toggles[m++] = at;
      }
      const right = uEnd > uStart;
      const xLo = right ? uStart : uEnd;
      const xHi = right ? uEnd - 1 : uStart - 1;
      for (let xc = xLo + mod5(2 - xLo); xc <= xHi; xc += SCALE) {
        // First t with u(t) on the far side of the boundary between columns xc and xc + 1.
        let t = Math.ceil((xc + 0.5 - xs) / s);
        if (!(t >= 1)) t = 1;
        if (t > dy) t = dy;
        if (right) {
          while (t > 1 && toInt(xs + s * (t - 1) + 0.5) >= xc + 1) t--;
          while (t < dy && toInt(xs + s * t + 0.5) < xc + 1) t++;
        } else {
          while (t > 1 && toInt(xs + s * (t - 1) + 0.5) <= xc) t--;
          while (t < dy && toInt(xs + s * t + 0.5) > xc) t++;
        }
        const xd = (xc - 2) / SCALE;
        if (xd >= 0 && xd <= width - 1) toggles[m++] = xd * height + rowOf(ys + t - 1, height);
      }
      pu = flip ? uStart : uEnd;
      pv = flip ? ys : ys + dy;
    }
  }
  toggles[m++] = height * width;
  const sorted = sortToggles(toggles, m, height);
  // Sorted positions → run lengths, written over the front of the sorted toggles (run i only
  // needs toggles up to i + 1). A zero-length run means two toggles at one pixel; they cancel, so
  // the following run is folded into the previous one.
  let n = 1;
  let prev = sorted[0]!;
  for (let j = 1; j < m; ) {
    const diff = sorted[j]! - prev;
    prev = sorted[j]!;
    j++;
    if (diff > 0) sorted[n++] = diff;
    else if (j < m) {
      sorted[n - 1]! += sorted[j]! - prev;
      prev = sorted[j]!;
      j++;
    }
  }
  return compactCounts(sorted, n, height * width);
}

export function ringToRle(ring: Ring, height: number, width: number): Rle {
  return { size: [height, width], counts: countsToString(ringToCountsArray(ring, height, width)) };
}

/**
 * Mask of a COCO polygon segmentation (several rings = one instance): each ring is rasterised and
 * the results are united, as pycocotools' annToRLE does, so nested rings do not cut holes. That is
 * how a COCO file's polygons read; a stored instance's rings follow the hole rule (instanceToRle).
 */
export function polygonsToRle(rings: readonly Ring[], height: number, width: number): Rle {
  if (rings.length === 0) return { size: [height, width], counts: countsToString([height * width]) };
  return { size: [height, width], counts: countsToString(mergeCounts(rings.map((r) => ringToCountsArray(r, height, width)))) };
}

/** Mask of a box [x, y, w, h], rasterised as its four-corner polygon (pycocotools' frBbox). */
export function bboxToRle(box: readonly number[], height: number, width: number): Rle {
  return ringToRle(boxRing(box), height, width);
}

/** The four-corner polygon frBbox draws for a box [x, y, w, h]. */
function boxRing(box: readonly number[]): Ring {
  const [x, y, w, h] = box as [number, number, number, number];
  return [x, y, x, y + h, x + w, y + h, x + w, y];
}

/**
 * Compressed RLE of any COCO segmentation, as pycocotools' annToRLE. Quirk kept on purpose: when
 * the first ring has exactly 4 numbers, pycocotools reads every ring as a box [x, y, w, h] (the
 * cocoapi build we compared with then fails in frBbox; it means boxes, and we draw boxes).
 */
export function segmentationToRle(seg: readonly Ring[] | AnyRle, height: number, width: number): Rle {
  if (Array.isArray(seg)) return { size: [height, width], counts: countsToString(segmentationCounts(seg, height, width)) };
  return compressRle(seg as AnyRle);
}

/**
 * Run lengths of segmentationToRle without the string round trip, validated, as one compact array
 * (what evaluation works on).
 */
export function segmentationCounts(seg: readonly Ring[] | AnyRle, height: number, width: number): CountsArray {
  if (!Array.isArray(seg)) {
    const rle = seg as AnyRle;
    if (rle.size[0] !== height || rle.size[1] !== width) throw new Error(`RLE size [${rle.size}] differs from the image's [${height}, ${width}]`);
    if (typeof rle.counts === 'string') return stringToCompactCounts(rle.counts, height, width);
    checkCounts(rle.counts, height, width);
    return compactCounts(rle.counts, rle.counts.length, height * width);
  }
  const rings = seg as readonly Ring[];
  if (rings.length === 0) return compactCounts([height * width], 1, height * width);
  const boxes = rings[0]!.length === 4;
  if (rings.length === 1) return ringToCountsArray(boxes ? boxRing(rings[0]!) : rings[0]!, height, width);
  const merged = mergeCounts(rings.map((r) => ringToCountsArray(boxes ? boxRing(r) : r, height, width)));
  return compactCounts(merged, merged.length, height * width);
}
