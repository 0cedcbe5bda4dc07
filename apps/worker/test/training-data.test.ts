import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instanceRasterArea } from '@segmenta/coco';
import { trainingConfigSchema } from '@segmenta/contracts';
import { createDb, createProject, LocalBlobStore, takeDatasetSnapshot, type Db } from '@segmenta/db';
import { processUpload, renderScene } from '@segmenta/imaging';
import { augment, BatchPrefetcher, checkAugmentConfig, type TrainingSample } from '@segmenta/maskrcnn';
import { augmentFor } from '../src/training/run-config';
import { loadSplitSamples } from '../src/training/samples';
import { annotatedProject, testEnv } from './helpers';

// The worker's data pipeline on real PostgreSQL and blob storage: a split decoded in snapshot order,
// then the researcher's whole augmentation pipeline (sharp JPEG included) keeping masks and boxes together.
const env = testEnv();
let db: Db;

beforeAll(() => {
  db = createDb(env.DATABASE_URL);
});
afterAll(async () => {
  await db.$disconnect();
});

/** Tight box of mask k in the (x1, y1, x2 + 1, y2 + 1) convention. */
function maskBox(s: TrainingSample, k: number): number[] {
  const { width: w, height: h } = s;
  let [x1, y1, x2, y2] = [w, h, -1, -1];
  for (let i = 0; i < w * h; i++) {
    if (!s.target.masks[k * w * h + i]) continue;
    const [x, y] = [i % w, Math.floor(i / w)];
    [x1, y1, x2, y2] = [Math.min(x1, x), Math.min(y1, y), Math.max(x2, x), Math.max(y2, y)];
  }
  return [x1, y1, x2 + 1, y2 + 1];
}

describe('training data pipeline', () => {
  it('loads a split in snapshot order and augments it reproducibly with every configured step', async () => {
    const store = new LocalBlobStore(env.DATA_DIR);
    const size = (i: number): [number, number] => [120 + 8 * i, 96];
    const project = await annotatedProject(db, store, 'data', Array(6).fill('train'), { size });
    const snapshot = await takeDatasetSnapshot(db, project.id);
    const samples = await loadSplitSamples(db, store, snapshot, 'train', 64);
    expect(samples.map((s) => s.id)).toEqual(snapshot.splits.train);
    const byName = new Map((await db.image.findMany({ where: { projectId: project.id } })).map((r) => [r.id, r.fileName]));
    for (const s of samples) {
      const [w, h] = size(Number(byName.get(String(s.id))!.slice(1, 2)));
      expect([s.width, s.height]).toEqual([Math.round((w * 64) / h), 64]);
    }

    const config = trainingConfigSchema.parse({
      name: 'aug',
      augmentations: [
        { type: 'horizontalFlip', p: 0.5 },
        { type: 'verticalFlip', p: 0.5 },
        { type: 'brightnessContrast', p: 0.5 },
        { type: 'oneOf', p: 1, choices: [{ type: 'jpegCompression' }, { type: 'gamma' }] },
        { type: 'oneOf', p: 1, choices: [{ type: 'blur', radiusMax: 2 }, { type: 'equalize' }] },
        { type: 'resize', width: 80, height: 72 },
      ],
    });
    const cfg = augmentFor(config);
    expect(() => checkAugmentConfig(cfg)).not.toThrow();
    const take = async () => {
      const p = new BatchPrefetcher({ train: samples, batchSize: 2, accumulation: 1, seed: config.seed, augment: cfg }, 2, 3);
      return [...(await p.take(0)), ...(await p.take(1)), ...(await p.take(2))].flat();
    };
    const [a, b] = [await take(), await take()];
    expect(a.map((s) => s.id).sort()).toEqual([...snapshot.splits.train].sort());
    for (const [i, s] of a.entries()) {
      expect([s.width, s.height]).toEqual([80, 72]);
      expect(Array.from(s.pixels)).toEqual(Array.from(b[i]!.pixels));
      expect(s.pixels.every((v) => v >= 0 && v <= 1)).toBe(true);
      for (let k = 0; k < s.target.labels.length; k++) {
        const box = Array.from(s.target.boxes.slice(4 * k, 4 * k + 4));
        maskBox(s, k).forEach((v, j) => expect(Math.abs(v - box[j]!)).toBeLessThanOrEqual(1.5));
      }
    }
    // The JPEG codec really runs: a sample through JPEG alone differs from its source but keeps its size.
    const jpegOnly = await augment(samples[0]!, { steps: [{ type: 'oneOf', p: 1, choices: [{ type: 'jpegCompression', qualityMin: 40, qualityMax: 40 }] }], jpeg: cfg.jpeg }, () => 0);
    expect(jpegOnly.pixels.length).toBe(samples[0]!.pixels.length);
    expect(jpegOnly.pixels.some((v, i) => v !== samples[0]!.pixels[i])).toBe(true);
  });

  it('gives a region with a hole a target mask with the hole, at full size and scaled down', async () => {
    const store = new LocalBlobStore(env.DATA_DIR);
    const project = await createProject(db, { name: `holes ${Date.now()}`, classes: [{ name: 'ring' }] });
    const scene = await renderScene({ width: 80, height: 60, classCount: 1, seed: 77, minInstances: 1, maxInstances: 1 });
    const p = await processUpload(scene.png);
    const [o, w, t] = await Promise.all([store.put(p.original, p.ext), store.put(p.web, 'jpg'), store.put(p.thumb, 'webp')]);
    const outer = [10, 10, 70, 10, 70, 50, 10, 50];
    const hole = [30, 20, 50, 20, 50, 40, 30, 40];
    await db.image.create({
      data: {
        projectId: project.id, sha256: o.sha256, fileName: 'ring.png', mimeType: p.mimeType, width: p.width, height: p.height, sizeBytes: o.size,
        originalKey: o.key, webKey: w.key, thumbKey: t.key, split: 'train',
        annotations: { create: [{ labelClassId: project.classes[0]!.id, polygons: [outer, hole], bboxX: 10, bboxY: 10, bboxW: 60, bboxH: 40, area: 2400 - 400 }] },
      },
    });
    const snapshot = await takeDatasetSnapshot(db, project.id);
    for (const [shortSide, scale] of [[60, 1], [30, 0.5]] as const) {
      const [s] = await loadSplitSamples(db, store, snapshot, 'train', shortSide);
      const at = (x: number, y: number) => s!.target.masks[Math.floor(y * scale) * s!.width + Math.floor(x * scale)];
      expect([at(15, 15), at(40, 30), at(60, 45)]).toEqual([1, 0, 1]);
      expect(s!.target.masks.reduce((a, v) => a + v, 0)).toBe(instanceRasterArea([outer, hole].map((r) => r.map((v) => v * scale)), s!.height, s!.width));
      expect(Array.from(s!.target.boxes)).toEqual([10, 10, 70, 50].map((v) => v * scale));
    }
  });
});
