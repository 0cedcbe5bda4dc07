import sharp from 'sharp';
import { decodeRle, instanceToRle, type Ring } from '@segmenta/coco';
import type { DatasetSnapshot } from '@segmenta/contracts';
import type { BlobStore, Db } from '@segmenta/db';
import type { TrainingSample } from '@segmenta/maskrcnn';

/**
 * Loads a split of a run's snapshot as training samples. Images are decoded once, EXIF-rotated, and
 * scaled down so their short side is `shortSide` (the model would resize them there anyway), which
 * keeps a 12-MP photo at a few hundred kB of floats; polygons are scaled by the same factor and
 * rasterised exactly as COCO does, holes cut (the rule every stored instance follows). Crowd regions
 * are left out of the targets.
 */
export async function loadSplitSamples(
  db: Db,
  store: BlobStore,
  snapshot: DatasetSnapshot,
  split: 'train' | 'val' | 'test',
  shortSide: number,
): Promise<TrainingSample[]> {
  const ids = snapshot.splits[split];
  if (ids.length === 0) return [];
  const labelOf = new Map(snapshot.classes.map((c, i) => [c.id, i + 1]));
  const rows = await db.image.findMany({
    where: { id: { in: ids } },
    select: { id: true, fileName: true, width: true, height: true, originalKey: true, annotations: { select: { labelClassId: true, polygons: true, iscrowd: true } } },
  });
  if (rows.length !== ids.length) {
    const found = new Set(rows.map((r) => r.id));
    throw new Error(`${ids.length - rows.length} image(s) of the ${split} split were deleted after launch (e.g. ${ids.find((i) => !found.has(i))})`);
  }
  const byId = new Map(rows.map((r) => [r.id, r]));
  const samples: TrainingSample[] = new Array(ids.length);
  // A few decodes in flight: sharp runs them on libuv's thread pool while this thread rasterises masks.
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < ids.length; i = next++) samples[i] = await loadOne(byId.get(ids[i]!)!);
  };
  await Promise.all(Array.from({ length: Math.min(DECODE_CONCURRENCY, ids.length) }, worker));
  return samples;

  async function loadOne(row: (typeof rows)[number]): Promise<TrainingSample> {
    const id = row.id;
    const scale = Math.min(1, shortSide / Math.min(row.width, row.height));
    const width = Math.max(1, Math.round(row.width * scale));
    const height = Math.max(1, Math.round(row.height * scale));
    const { data } = await sharp(await store.get(row.originalKey))
      .rotate()
      .removeAlpha()
      .toColourspace('srgb')
      .resize(width, height, { fit: 'fill' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    const pixels = new Float32Array(data.length);
    for (let i = 0; i < data.length; i++) pixels[i] = data[i]! / 255;
    const instances = row.annotations.filter((a) => !a.iscrowd && labelOf.has(a.labelClassId));
    const hw = width * height;
    const masks = new Uint8Array(instances.length * hw);
    const boxes: number[] = [];
    const labels: number[] = [];
    let k = 0;
    for (const a of instances) {
      const rings = (a.polygons as Ring[]).map((r) => r.map((v) => v * scale));
      const mask = decodeRle(instanceToRle(rings, height, width));
      let x1 = width, y1 = height, x2 = -1, y2 = -1;
      for (let y = 0; y < height; y++)
        for (let x = 0; x < width; x++)
          if (mask[y * width + x]) {
            if (x < x1) x1 = x;
            if (x > x2) x2 = x;
            if (y < y1) y1 = y;
            if (y > y2) y2 = y;
          }
      // Too small to survive the downscale: nothing left to learn from.
      if (x2 < x1 + 1 || y2 < y1 + 1) continue;
      masks.set(mask, k * hw);
      boxes.push(x1, y1, x2 + 1, y2 + 1);
      labels.push(labelOf.get(a.labelClassId)!);
      k++;
    }
    return { id, fileName: row.fileName, width, height, pixels, target: { boxes: Float32Array.from(boxes), labels: Int32Array.from(labels), masks: masks.slice(0, k * hw) } };
  }
}

const DECODE_CONCURRENCY = 4;
