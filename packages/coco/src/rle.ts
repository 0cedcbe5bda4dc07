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
export function countsToString(counts: readonly number[]): string {
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
  const counts: number[] = [];
  let p = 0;
  while (p < s.length) {
    let x = 0;
    let k = 0;
    let more = true;
    while (more) {
      if (p >= s.length) throw new Error('truncated RLE string');
      const c = s.charCodeAt(p) - 48;
      if (c < 0 || c > 63) throw new Error(`invalid RLE character '${s[p]}' at ${p}`);
      x += (c & 0x1f) * 2 ** (5 * k);
      more = (c & 0x20) !== 0;
      p++;
      k++;
      if (!more && c & 0x10) x -= 2 ** (5 * k); // sign-extend the last group
    }
    if (counts.length > 2) x += counts[counts.length - 2]!;
    counts.push(x);
  }
  return counts;
}

/** Counts of any RLE form, checked to cover exactly height*width pixels. */
export function rleCounts(rle: AnyRle): number[] {
  const counts = typeof rle.counts === 'string' ? stringToCounts(rle.counts) : rle.counts;
  const [h, w] = rle.size;
  let total = 0;
  for (const c of counts) {
    if (!Number.isInteger(c) || c < 0) throw new Error(`invalid RLE count ${c}`);
    total += c;
  }
  if (total !== h * w) throw new Error(`RLE counts sum to ${total}, expected ${h}x${w}=${h * w}`);
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
  const counts = rleCounts(rle);
  let a = 0;
  for (let j = 1; j < counts.length; j += 2) a += counts[j]!;
  return a;
}

/**
 * Tight box [x, y, w, h] as pycocotools' toBbox. When a run of ones wraps from one column to the
 * next, the box spans the full height (as pycocotools does), and an empty mask gives [0,0,0,0].
 */
export function rleToBbox(rle: AnyRle): Bbox {
  const [h, w] = rle.size;
  const counts = rleCounts(rle);
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
    const t = cc - (j % 2);
    const y = t % h;
    const x = (t - y) / h;
    if (j % 2 === 0) xp = x;
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
function walkRuns(a: readonly number[], b: readonly number[], visit: (len: number, va: boolean, vb: boolean) => void): void {
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
  let acc = rleCounts(first);
  for (const r of rles.slice(1)) {
    if (!sameSize(first, r)) throw new Error(`cannot merge RLEs of sizes ${first.size} and ${r.size}`);
    const out: number[] = [];
    let cur = false;
    let run = 0;
    walkRuns(acc, rleCounts(r), (len, va, vb) => {
      const v = intersect ? va && vb : va || vb;
      if (v !== cur) {
        out.push(run);
        run = 0;
        cur = v;
      }
      run += len;
    });
    out.push(run);
    acc = out;
  }
  return { size: [first.size[0], first.size[1]], counts: countsToString(acc) };
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
