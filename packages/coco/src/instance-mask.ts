// The pixels of a stored instance: its rings rasterised one by one as pycocotools' frPoly does
// (rasterize.ts), then combined by the hole rule (ring-nesting.ts). What the database stores as
// area, what training learns, what evaluation and review compare and what an export writes all come
// from here.

import type { Ring } from './geometry';
import { ringToCountsArray } from './rasterize';
import { ringNesting } from './ring-nesting';
import { compactCounts, countsArea, countsToString, mergeCounts, subtractCounts, type CountsArray, type Rle } from './rle';

/** Column-major run lengths of an instance's mask (holes cut, overlaps united) on an h×w image. */
export function instanceCounts(rings: readonly Ring[], height: number, width: number): CountsArray {
  const pixels = height * width;
  if (rings.length === 0) return compactCounts([pixels], 1, pixels);
  const counts = rings.map((r) => ringToCountsArray(r, height, width));
  if (rings.length === 1) return counts[0]!;
  const { depth, parent } = ringNesting(rings);
  const filled: ArrayLike<number>[] = [];
  rings.forEach((_, i) => {
    if (depth[i]! % 2 !== 0) return;
    const holes = counts.filter((_, k) => parent[k] === i);
    filled.push(holes.length ? subtractCounts(counts[i]!, mergeCounts(holes)) : counts[i]!);
  });
  const merged = mergeCounts(filled);
  return compactCounts(merged, merged.length, pixels);
}

/** Compressed RLE of an instance's mask, as an export writes it. */
export function instanceToRle(rings: readonly Ring[], height: number, width: number): Rle {
  return { size: [height, width], counts: countsToString(instanceCounts(rings, height, width)) };
}

/** Pixel area of an instance: its stored `area`, and pycocotools' area of its exported RLE. */
export function instanceRasterArea(rings: readonly Ring[], height: number, width: number): number {
  return rings.length === 0 ? 0 : countsArea(instanceCounts(rings, height, width));
}
