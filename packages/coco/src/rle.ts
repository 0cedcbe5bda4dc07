// COCO run-length encoding, bit-compatible with pycocotools (maskApi).
//
// Conventions that are easy to get wrong:
// - Runs walk the mask in column-major (Fortran) order: down column 0, then column 1, ...
//   Our masks are row-major (index y * width + x), so encoding transposes on the fly.
// - Runs alternate 0,1,0,1,... and always start with a run of zeros (possibly of length 0).
// - The compressed string stores each count as signed 5-bit groups in chars 48..111
//   (bit 0x20 = "more groups follow", bit 0x10 of the last group = sign), and from the
//   fourth count on it stores the difference to the count two places earlier.

import type { Bbox } from './geometry';

export type RleSize = [height: number, width: number];
/** Compressed RLE, as written in COCO files and result files. */
export interface Rle {
  size: RleSize;
  counts: string;
}
/** Uncompressed RLE (COCO uses it for iscrowd ground truth). */
export interface UncompressedRle {
  size: RleSize;
  counts: number[];
}
export type AnyRle = Rle | UncompressedRle;

/** Run lengths of a row-major 0/1 mask in COCO's column-major order. */
export function maskToCounts(mask: ArrayLike<number>, height: number, width: number): number[] {
  if (mask.length !== height * width) {
    throw new Error(`mask has ${mask.length} pixels, expected ${height}x${width}`);
  }
  const counts: number[] = [];
  let prev = 0;
  let run = 0;
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) {
      const v = mask[y * width + x] ? 1 : 0;
      if (v !== prev) {
        counts.push(run);
        run = 0;
        prev = v;
      }
      run++;
    }
  }
  counts.push(run);
  return counts;
}

/** Pack counts into COCO's compressed string. Uses arithmetic, not bit ops, so counts past 2^31 stay exact. */
export function countsToString(counts: ArrayLike<number>): string {
  let s = '';
  for (let i = 0; i < counts.length; i++) {
    let x = counts[i]!;
    if (i > 2) x -= counts[i - 2]!;
    let more = true;
    while (more) {
      let c = x - Math.floor(x / 32) * 32; // x & 0x1f for negative x too
      x = Math.floor(x / 32); // arithmetic shift right by 5
      more = c & 0x10 ? x !== -1 : x !== 0;
      if (more) c |= 0x20;
      s += String.fromCharCode(c + 48);
    }
  }
  return s;
}

/** Inverse of countsToString. */
export function stringToCounts(s: string): number[] {
  const n = decodeInto(s);
  return Array.from(decodeBuffer.subarray(0, n));
}

/** Reused decode buffer: a string of n characters holds at most n counts. */
let decodeBuffer = new Float64Array(1024);

/** stringToCounts as a Float64Array. */
export function stringToCountsArray(s: string): Float64Array {
  const n = decodeInto(s); // may replace decodeBuffer: read it after
  return decodeBuffer.slice(0, n);
}

/**
 * Validated counts of a compressed string for an h×w mask, in the compact array evaluation works on.
 */
export function stringToCompactCounts(s: string, h: number, w: number): CountsArray {
  const n = decodeInto(s);
  checkCounts(decodeBuffer.subarray(0, n), h, w);
  return compactCounts(decodeBuffer, n, h * w);
}

/**
 * Run lengths in a typed array: 32-bit when the mask has under 2^32 pixels (every real image),
 * halving what a mask costs to allocate and scan; 64-bit floats otherwise.
 */
export type CountsArray = Uint32Array | Float64Array;

export function compactCounts(counts: ArrayLike<number>, n: number, pixels: number): CountsArray {
  const out = pixels < 2 ** 32 ? new Uint32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = counts[i]!;
  return out;
}

/** Decode a compressed string into decodeBuffer; returns how many counts it holds. */
function decodeInto(s: string): number {
  if (decodeBuffer.length < s.length) decodeBuffer = new Float64Array(Math.max(s.length, 2 * decodeBuffer.length));
  const counts = decodeBuffer;
  let n = 0;
  let p = 0;
  while (p < s.length) {
    let x = 0;
    let scale = 1; // 32 ** (groups read so far)
    let c: number;
    do {
      if (p >= s.length) throw new Error('truncated RLE string');
      c = s.charCodeAt(p) - 48;
      if (c < 0 || c > 63) throw new Error(`invalid RLE character '${s[p]}' at ${p}`);
      x += (c & 0x1f) * scale;
      scale *= 32;
      p++;
    } while (c & 0x20);
    if (c & 0x10) x -= scale; // sign-extend the last group
    if (n > 2) x += counts[n - 2]!;
    counts[n++] = x;
  }
  return n;
}

/** Throws unless counts are non-negative integers covering exactly height × width pixels. */
export function checkCounts(counts: ArrayLike<number>, h: number, w: number): void {
  let total = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i]!;
    if (!Number.isInteger(c) || c < 0) throw new Error(`invalid RLE count ${c}`);
    total += c;
  }
  if (total !== h * w) throw new Error(`RLE counts sum to ${total}, expected ${h}x${w}=${h * w}`);
}

/** Counts of any RLE form, checked to cover exactly height*width pixels. */
export function rleCounts(rle: AnyRle): number[] {
  const counts = typeof rle.counts === 'string' ? stringToCounts(rle.counts) : rle.counts;
  checkCounts(counts, rle.size[0], rle.size[1]);
  return counts;
}

export function encodeMask(mask: ArrayLike<number>, height: number, width: number): Rle {
  return { size: [height, width], counts: countsToString(maskToCounts(mask, height, width)) };
}

/** Compress an RLE (a no-op for an already compressed one). */
export function compressRle(rle: AnyRle): Rle {
  if (typeof rle.counts === 'string') return { size: [rle.size[0], rle.size[1]], counts: rle.counts };
  return { size: [rle.size[0], rle.size[1]], counts: countsToString(rleCounts(rle)) };
}

/** Row-major 0/1 mask of an RLE. */
export function decodeRle(rle: AnyRle): Uint8Array {
  const [h, w] = rle.size;
  const counts = rleCounts(rle);
  const mask = new Uint8Array(h * w);
  let pos = 0; // column-major position
  for (let j = 0; j < counts.length; j++) {
    const c = counts[j]!;
    if (j % 2 === 1) {
      for (let k = pos; k < pos + c; k++) {
        const x = Math.floor(k / h);
        mask[(k - x * h) * w + x] = 1;
      }
    }
    pos += c;
  }
  return mask;
}

export function rleArea(rle: AnyRle): number {
  return countsArea(rleCounts(rle));
}

/** Pixels set in (already validated) run lengths: the sum of the ones runs. */
export function countsArea(counts: ArrayLike<number>): number {
  let a = 0;
  for (let j = 1; j < counts.length; j += 2) a += counts[j]!;
  return a;
}

/**
 * Tight box [x, y, w, h] as pycocotools' toBbox. When a run of ones wraps from one column to the
 * next, the box spans the full height (as pycocotools does), and an empty mask gives [0,0,0,0].
 */
export function rleToBbox(rle: AnyRle): Bbox {
  return countsToBbox(rleCounts(rle), rle.size[0], rle.size[1]);
}

/** rleToBbox on (already validated) run lengths of an h×w mask. */
export function countsToBbox(counts: ArrayLike<number>, h: number, w: number): Bbox {
  const m = Math.floor(counts.length / 2) * 2;
  if (m === 0 || h === 0) return [0, 0, 0, 0];
  let xs = w;
  let ys = h;
  let xe = 0;
  let ye = 0;
  let cc = 0;
  let xp = 0;
  for (let j = 0; j < m; j++) {
    cc += counts[j]!;
    // Start of a ones run (j even) or its last pixel (j odd).
    const t = cc - (j & 1);
    // floor division rather than %, which is a slow library call on doubles (exact below 2^53)
    const x = Math.floor(t / h);
    const y = t - x * h;
    if ((j & 1) === 0) xp = x;
    else if (xp < x) {
      ys = 0;
      ye = h - 1;
    }
    xs = Math.min(xs, x);
    xe = Math.max(xe, x);
    ys = Math.min(ys, y);
    ye = Math.max(ye, y);
  }
  return [xs, ys, xe - xs + 1, ye - ys + 1];
}

/** Walk two run lists in lockstep, calling visit(length, a, b) for each stretch of constant values. */
function walkRuns(a: ArrayLike<number>, b: ArrayLike<number>, visit: (len: number, va: boolean, vb: boolean) => void): void {
  let ia = 0;
  let ib = 0;
  let ca = a[0] ?? 0;
  let cb = b[0] ?? 0;
  let va = false;
  let vb = false;
  for (;;) {
    while (ca === 0 && ia + 1 < a.length) {
      ca = a[++ia]!;
      va = !va;
    }
    while (cb === 0 && ib + 1 < b.length) {
      cb = b[++ib]!;
      vb = !vb;
    }
    if (ca === 0 || cb === 0) return;
    const c = Math.min(ca, cb);
    visit(c, va, vb);
    ca -= c;
    cb -= c;
  }
}

function sameSize(a: AnyRle, b: AnyRle): boolean {
  return a.size[0] === b.size[0] && a.size[1] === b.size[1];
}

/**
 * Union (or intersection) of masks of one size, as pycocotools' merge. An empty list gives a 0x0 RLE.
 */
export function mergeRles(rles: readonly AnyRle[], intersect = false): Rle {
  const first = rles[0];
  if (!first) return { size: [0, 0], counts: '' };
  for (const r of rles) if (!sameSize(first, r)) throw new Error(`cannot merge RLEs of sizes ${first.size} and ${r.size}`);
  return { size: [first.size[0], first.size[1]], counts: countsToString(mergeCounts(rles.map(rleCounts), intersect)) };
}

/** Run lengths of the pixelwise `op` of two masks of one size. */
function combineCounts(a: ArrayLike<number>, b: ArrayLike<number>, op: (va: boolean, vb: boolean) => boolean): number[] {
  const out: number[] = [];
  let cur = false;
  let run = 0;
  walkRuns(a, b, (len, va, vb) => {
    const v = op(va, vb);
    if (v !== cur) {
      out.push(run);
      run = 0;
      cur = v;
    }
    run += len;
  });
  out.push(run);
  return out;
}

const union = (va: boolean, vb: boolean) => va || vb;
const both = (va: boolean, vb: boolean) => va && vb;
const firstOnly = (va: boolean, vb: boolean) => va && !vb;

/** mergeRles on run lengths of masks of one size (a single mask comes back unchanged). */
export function mergeCounts(list: readonly ArrayLike<number>[], intersect = false): ArrayLike<number> {
  let acc = list[0]!;
  for (const counts of list.slice(1)) acc = combineCounts(acc, counts, intersect ? both : union);
  return acc;
}

/** Run lengths of mask `a` without the pixels of mask `b` (same size): how a hole is cut. */
export function subtractCounts(a: ArrayLike<number>, b: ArrayLike<number>): number[] {
  return combineCounts(a, b, firstOnly);
}

/**
 * Pixels set in both masks, from their run lengths: a merge of the two lists of ones intervals,
 * allocation-free (segm evaluation calls it for every overlapping detection / ground-truth pair).
 */
export function countsIntersection(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length < 2 || b.length < 2) return 0;
  // [sa, ea) and [sb, eb): the current ones intervals; ia / ib index their lengths.
  let ia = 1, ib = 1;
  let sa = a[0]!, ea = sa + a[1]!;
  let sb = b[0]!, eb = sb + b[1]!;
  let inter = 0;
  for (;;) {
    const lo = sa > sb ? sa : sb;
    const hi = ea < eb ? ea : eb;
    if (hi > lo) inter += hi - lo;
    if (ea <= eb) {
      if (ia + 2 >= a.length) return inter;
      sa = ea + a[ia + 1]!;
      ea = sa + a[ia + 2]!;
      ia += 2;
    } else {
      if (ib + 2 >= b.length) return inter;
      sb = eb + b[ib + 1]!;
      eb = sb + b[ib + 2]!;
      ib += 2;
    }
  }
}

/** Intersection and union pixel counts of two masks of one size. */
export function rleIntersectionUnion(a: AnyRle, b: AnyRle): { intersection: number; union: number } {
  if (!sameSize(a, b)) throw new Error(`cannot compare RLEs of sizes ${a.size} and ${b.size}`);
  let intersection = 0;
  let union = 0;
  walkRuns(rleCounts(a), rleCounts(b), (len, va, vb) => {
    if (va || vb) union += len;
    if (va && vb) intersection += len;
  });
  return { intersection, union };
}

/**
 * IoU of a detection mask with a ground-truth mask, as pycocotools' iou. For a crowd ground truth
 * the denominator is the detection's own area (the part of the detection inside the crowd), so a
 * detection fully inside a crowd region scores 1 however large the region is.
 */
export function rleIou(dt: AnyRle, gt: AnyRle, gtIsCrowd = false): number {
  const { intersection, union } = rleIntersectionUnion(dt, gt);
  if (intersection === 0) return 0;
  return intersection / (gtIsCrowd ? rleArea(dt) : union);
}
