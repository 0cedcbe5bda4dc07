import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeMask, instanceToRle, ringNesting, type Rle } from '@segmenta/coco';
import { AppError } from '@segmenta/contracts';
import { predictionPolygons } from '@segmenta/coco';
import { acceptPrediction, acceptPredictions } from '../src/accept-predictions';
import { createDb, type Db } from '../src/client';
import { testDatabaseUrl } from './helpers';

// 8 wide × 6 high masks drawn as pictures: '#' set.
function mask(...rows: string[]): Rle {
  const m = new Uint8Array(rows.length * rows[0]!.length);
  rows.forEach((r, y) => [...r].forEach((ch, x) => (m[y * r.length + x] = ch === '#' ? 1 : 0)));
  return encodeMask(m, rows.length, rows[0]!.length);
}
// A 4×3 block at x 2..5, y 1..3 plus a one-pixel speck at (7, 5).
const block = mask('........', '..####..', '..####..', '..####..', '........', '.......#');
const twoParts = mask('###.....', '###.....', '###.....', '......##', '......##', '........');
// A 6×6 frame around a 2×2 hole: 32 pixels.
const frame = mask('######..', '######..', '##..##..', '##..##..', '######..', '######..');

let db: Db;
let projectId: string;
let classIds: string[];
let runId: string;
const stamp = Date.now();

async function image(name: string, status: 'unlabelled' | 'done' = 'unlabelled') {
  return db.image.create({ data: { projectId, sha256: `${name}-${stamp}`.padEnd(64, '0'), fileName: `${name}.png`, mimeType: 'image/png', width: 8, height: 6, sizeBytes: 1, status, originalKey: 'o', webKey: 'w', thumbKey: 't' } });
}
async function prediction(imageId: string, score: number, rle: Rle, classId: string | null = classIds[0]!) {
  return db.prediction.create({ data: { runId, imageId, labelClassId: classId, classIndex: 1, score, bboxX: 0, bboxY: 0, bboxW: 1, bboxH: 1, maskRle: { size: rle.size, counts: rle.counts } } });
}
async function appError(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

beforeAll(async () => {
  db = createDb(testDatabaseUrl());
  const project = await db.project.create({ data: { name: `accept ${stamp}` } });
  projectId = project.id;
  classIds = await Promise.all(['circle', 'square'].map(async (name, order) => (await db.labelClass.create({ data: { projectId, name, color: '#000000', order } })).id));
  runId = (await db.trainingRun.create({ data: { projectId, name: 'r', config: {} } })).id;
});
afterAll(async () => {
  await db.project.delete({ where: { id: projectId } });
  await db.$disconnect();
});

describe('predictionPolygons', () => {
  it('outlines the block along pixel edges and drops the speck', () => {
    const rings = predictionPolygons(block, 1);
    expect(rings).toHaveLength(1);
    const corners = Array.from({ length: rings[0]!.length / 2 }, (_, k) => `${rings[0]![2 * k]},${rings[0]![2 * k + 1]}`);
    expect(corners.sort()).toEqual(['2,1', '2,4', '6,1', '6,4']);
  });

  it('keeps every part worth keeping, largest first', () => {
    const rings = predictionPolygons(twoParts, 0.5);
    expect(rings).toHaveLength(2);
    expect(rings.map((r) => Math.min(...r.filter((_, i) => i % 2 === 0)))).toEqual([0, 6]);
  });
});

describe('predictionPolygons with holes', () => {
  it('outlines a hole as a ring inside the part, so the accepted region has the mask\'s pixels', () => {
    const rings = predictionPolygons(frame, 0.5);
    expect(rings).toHaveLength(2);
    expect(ringNesting(rings).depth).toEqual([0, 1]);
    expect(instanceToRle(rings, 6, 8)).toEqual(frame);
  });
});

describe('acceptPrediction', () => {
  it('stores a holed mask with its hole: area and rings as the editor and export see them', async () => {
    const img = await image('frame');
    const p = await prediction(img.id, 0.9, frame);
    const out = await acceptPrediction(db, p.id);
    const ann = await db.annotation.findUniqueOrThrow({ where: { id: out.annotationId } });
    expect(ann.area).toBe(32);
    expect(instanceToRle(ann.polygons as number[][], 6, 8)).toEqual(frame);
  });

  it('appends a model-made annotation with COCO bbox and area, bumps the version, starts the image', async () => {
    const img = await image('one');
    const p = await prediction(img.id, 0.9, block, classIds[1]!);
    const out = await acceptPrediction(db, p.id);
    expect(out.version).toBe(1);
    const ann = await db.annotation.findUniqueOrThrow({ where: { id: out.annotationId } });
    expect(ann).toMatchObject({ imageId: img.id, labelClassId: classIds[1], source: 'model', bboxX: 2, bboxY: 1, bboxW: 4, bboxH: 3, area: 12, iscrowd: false });
    expect(await db.image.findUniqueOrThrow({ where: { id: img.id }, select: { status: true, annotationsVersion: true } })).toEqual({ status: 'in_progress', annotationsVersion: 1 });

    // Twice is refused and changes nothing.
    const again = await appError(acceptPrediction(db, p.id));
    expect(again.status).toBe(409);
    expect(again.message).toMatch(/already accepted/);
    expect(await db.annotation.count({ where: { imageId: img.id } })).toBe(1);
    expect((await db.image.findUniqueOrThrow({ where: { id: img.id } })).annotationsVersion).toBe(1);

    // Once the annotation is deleted (say in the editor), the prediction may be accepted again.
    await db.annotation.delete({ where: { id: out.annotationId } });
    expect((await acceptPrediction(db, p.id)).version).toBe(2);
  });

  it('answers 404 for an unknown prediction and 409 when its class is gone', async () => {
    expect((await appError(acceptPrediction(db, '00000000-0000-4000-8000-000000000000'))).status).toBe(404);
    const img = await image('orphan');
    const p = await prediction(img.id, 0.9, block, null);
    const err = await appError(acceptPrediction(db, p.id));
    expect(err.status).toBe(409);
    expect(err.message).toMatch(/class no longer exists/);
    expect((await db.image.findUniqueOrThrow({ where: { id: img.id } })).annotationsVersion).toBe(0);
  });
});

describe('acceptPredictions', () => {
  it('accepts what is at or above the threshold, one version bump per image, keeps a finished status', async () => {
    const a = await image('bulk-a');
    const b = await image('bulk-b', 'done');
    await prediction(a.id, 0.9, block);
    await prediction(a.id, 0.5, twoParts);
    await prediction(a.id, 0.49, block);
    await prediction(b.id, 0.7, twoParts, classIds[1]!);
    const out = await acceptPredictions(db, runId, { scoreThreshold: 0.5, imageIds: [a.id, b.id] });
    expect(out.accepted).toBe(3);
    expect(out.skipped).toEqual([]);
    expect(out.images.map((i) => [i.imageId, i.annotationIds.length, i.version]).sort()).toEqual([[a.id, 2, 1], [b.id, 1, 1]].sort());
    expect(await db.image.findUniqueOrThrow({ where: { id: b.id }, select: { status: true } })).toEqual({ status: 'done' });
    const rows = await db.annotation.findMany({ where: { imageId: a.id }, orderBy: { createdAt: 'asc' } });
    expect(rows.map((r) => [r.source, r.area])).toEqual([['model', 12], ['model', 13]]);

    // Again: everything is already accepted, nothing changes.
    const again = await acceptPredictions(db, runId, { scoreThreshold: 0.5, imageIds: [a.id, b.id] });
    expect(again.accepted).toBe(0);
    expect(again.skipped).toHaveLength(3);
    expect((await db.image.findUniqueOrThrow({ where: { id: a.id } })).annotationsVersion).toBe(1);
  });

  it('pre-annotates only images without annotations, and refuses images of another project', async () => {
    const empty = await image('pre-empty');
    const labelled = await image('pre-labelled');
    await db.annotation.create({ data: { imageId: labelled.id, labelClassId: classIds[0]!, polygons: [[0, 0, 1, 0, 1, 1]], bboxX: 0, bboxY: 0, bboxW: 1, bboxH: 1, area: 1 } });
    await prediction(empty.id, 0.8, block);
    await prediction(labelled.id, 0.8, block);
    const out = await acceptPredictions(db, runId, { scoreThreshold: 0.5, imageIds: [empty.id, labelled.id], onlyIfUnannotated: true });
    expect(out.images.map((i) => i.imageId)).toEqual([empty.id]);
    expect(out.skipped).toEqual([expect.objectContaining({ reason: 'the image already has annotations' })]);
    expect(await db.annotation.count({ where: { imageId: labelled.id } })).toBe(1);

    const other = await db.project.create({ data: { name: `other ${stamp}` } });
    try {
      const err = await appError(acceptPredictions(db, runId, { scoreThreshold: 0.5, imageIds: [empty.id, other.id] }));
      expect(err.status).toBe(400);
      expect(err.details.map((d) => d.path)).toEqual(['imageIds[1]']);
    } finally {
      await db.project.delete({ where: { id: other.id } });
    }
  });
});
