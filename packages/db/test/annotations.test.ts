import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instanceRasterArea, polygonsToRle, rleArea } from '@segmenta/coco';
import { AppError } from '@segmenta/contracts';
import { createDb, type Db } from '../src/client';
import { getImageAnnotations, saveImageAnnotations } from '../src/annotations';
import { imageNeighbours, setImageStatus } from '../src/image-workflow';
import { testDatabaseUrl } from './helpers';

let db: Db;
let projectId: string;
let classes: { car: string; person: string };
const images: string[] = [];

async function addImage(n: number, width = 100, height = 80) {
  const image = await db.image.create({
    data: { projectId, sha256: String(n).padStart(64, '0'), fileName: `${n}.jpg`, mimeType: 'image/jpeg', width, height, sizeBytes: 1, originalKey: 'o', webKey: 'w', thumbKey: 't', createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, n)) },
  });
  images.push(image.id);
  return image.id;
}

async function rejection(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

beforeAll(async () => {
  db = createDb(testDatabaseUrl());
  const project = await db.project.create({ data: { name: `annotations ${Date.now()}` } });
  projectId = project.id;
  const car = await db.labelClass.create({ data: { projectId, name: 'car', color: '#009E73', order: 0 } });
  const person = await db.labelClass.create({ data: { projectId, name: 'person', color: '#0072B2', order: 1 } });
  classes = { car: car.id, person: person.id };
  for (let n = 1; n <= 4; n++) await addImage(n);
});
afterAll(async () => {
  await db.project.delete({ where: { id: projectId } });
  await db.$disconnect();
});

describe('saving an image annotation set', () => {
  it('stores polygons with server-computed bbox and raster area, bumps the version and starts the image', async () => {
    const id = images[0]!;
    const square = [10, 10, 30, 10, 30, 30, 10, 30];
    const saved = await saveImageAnnotations(db, id, { version: 0, annotations: [{ classId: classes.car, polygons: [square], iscrowd: 0 }, { className: 'Person', polygons: [[50, 50, 60, 50, 55, 70]], iscrowd: 0 }] });
    expect(saved.version).toBe(1);
    expect(saved.status).toBe('in_progress');
    expect(saved.annotations.map((a) => a.className)).toEqual(['car', 'person']);
    expect(saved.annotations[0]!.bbox).toEqual([10, 10, 20, 20]);
    expect(saved.annotations[0]!.area).toBe(rleArea(polygonsToRle([square], 80, 100)));
    expect(saved.annotations[0]!.area).toBe(400);
    expect(saved.annotations.every((a) => a.source === 'manual')).toBe(true);
    const { warnings, ...stored } = saved;
    expect(warnings).toEqual([]);
    expect(await getImageAnnotations(db, id)).toEqual(stored);
  });

  it('stores a part drawn inside another as a hole: area without it, rings as drawn', async () => {
    // An image of its own, removed after, so the gallery-order tests below see their four.
    const image = await db.image.create({ data: { projectId, sha256: 'f'.repeat(64), fileName: 'holes.jpg', mimeType: 'image/jpeg', width: 100, height: 80, sizeBytes: 1, originalKey: 'o', webKey: 'w', thumbKey: 't' } });
    const id = image.id;
    const outer = [10, 10, 70, 10, 70, 60, 10, 60];
    const hole = [25.5, 20, 50, 22.25, 45, 45.5, 20, 40];
    const saved = await saveImageAnnotations(db, id, { version: 0, annotations: [{ classId: classes.car, polygons: [outer, hole], iscrowd: 0 }] });
    const area = saved.annotations[0]!.area;
    expect(area).toBe(rleArea(polygonsToRle([outer], 80, 100)) - rleArea(polygonsToRle([hole], 80, 100)));
    expect(area).toBe(instanceRasterArea([outer, hole], 80, 100));
    const stored = await getImageAnnotations(db, id);
    expect(stored!.annotations[0]).toMatchObject({ polygons: [outer, hole], area, bbox: [10, 10, 60, 50] });
    await db.image.delete({ where: { id } });
  });

  it('answers a stale version with 409 and writes nothing', async () => {
    const id = images[0]!;
    const before = await getImageAnnotations(db, id);
    const err = await rejection(saveImageAnnotations(db, id, { version: 0, annotations: [] }));
    expect(err.status).toBe(409);
    expect(err.message).toMatch(/since version 0 \(now version 1\)/);
    expect(await getImageAnnotations(db, id)).toEqual(before);
  });

  it('lets exactly one of two concurrent saves of the same version through', async () => {
    const id = images[1]!;
    const tri = (x: number) => [x, 0, x + 10, 0, x, 10];
    const results = await Promise.allSettled([
      saveImageAnnotations(db, id, { version: 0, annotations: [{ classId: classes.car, polygons: [tri(0)], iscrowd: 0 }] }),
      saveImageAnnotations(db, id, { version: 0, annotations: [{ classId: classes.car, polygons: [tri(20)], iscrowd: 0 }] }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect((failed.reason as AppError).status).toBe(409);
    const now = await getImageAnnotations(db, id);
    expect(now!.version).toBe(1);
    expect(now!.annotations).toHaveLength(1);
  });

  it('names every bad instance by its path and saves none of the good ones', async () => {
    const id = images[2]!;
    const err = await rejection(
      saveImageAnnotations(db, id, {
        version: 0,
        annotations: [
          { classId: classes.car, polygons: [[0, 0, 10, 0, 10, 10]], iscrowd: 0 },
          { classId: classes.car, polygons: [[1, 1, 1, 1, 5, 5]], iscrowd: 0 },
          { className: 'horse', polygons: [[0, 0, 10, 0, 10, 10]], iscrowd: 0 },
          { classId: classes.car, polygons: [[0, 0, 5, 5, 10, 10]], iscrowd: 0 },
          { classId: classes.car, polygons: [[200, 200, 300, 200, 300, 300]], iscrowd: 0 },
        ],
      }),
    );
    expect(err.status).toBe(400);
    expect(err.details).toEqual([
      { path: 'annotations[1].polygons[0]', message: expect.stringMatching(/2 distinct point/) },
      { path: 'annotations[2].className', message: expect.stringMatching(/no class named "horse".*car, person/) },
      { path: 'annotations[3].polygons[0]', message: expect.stringMatching(/zero area/) },
      { path: 'annotations[4].polygons[0]', message: "polygon lies outside the 100×80 image" },
    ]);
    const after = await getImageAnnotations(db, id);
    expect(after!.version).toBe(0);
    expect(after!.annotations).toEqual([]);
  });

  it('clamps points into the image and flags a self-crossing polygon, saving both with warnings', async () => {
    const id = images[2]!;
    const saved = await saveImageAnnotations(db, id, {
      version: 0,
      annotations: [
        { classId: classes.car, polygons: [[-5, -5, 120, 0, 50, 90]], iscrowd: 0 },
        { classId: classes.person, polygons: [[0, 0, 20, 20, 20, 0, 0, 20]], iscrowd: 0 },
      ],
    });
    expect(saved.annotations[0]!.polygons).toEqual([[0, 0, 100, 0, 50, 80]]);
    expect(saved.annotations[1]!.flags).toEqual(['self_intersecting']);
    expect(saved.warnings.map((w) => w.path)).toEqual(['annotations[0].polygons[0]', 'annotations[1].polygons[0]']);
    expect(saved.warnings[0]!.message).toMatch(/moved onto its edge/);
  });

  it('keeps a model-made instance marked until its polygon or class changes, and keeps ids', async () => {
    const id = images[3]!;
    const ring = [10, 10, 40, 10, 40, 40, 10, 40];
    const made = await db.annotation.create({ data: { imageId: id, labelClassId: classes.car, polygons: [ring], bboxX: 10, bboxY: 10, bboxW: 30, bboxH: 30, area: 900, source: 'model' } });
    const kept = await saveImageAnnotations(db, id, { version: 0, annotations: [{ id: made.id, classId: classes.car, polygons: [ring], iscrowd: 0 }, { classId: classes.person, polygons: [[50, 50, 60, 50, 60, 60]], iscrowd: 0 }] });
    expect(kept.annotations.map((a) => [a.id === made.id, a.source])).toEqual([[true, 'model'], [false, 'manual']]);
    const moved = await saveImageAnnotations(db, id, { version: 1, annotations: [{ id: made.id, classId: classes.car, polygons: [ring.map((v) => v + 1)], iscrowd: 0 }] });
    expect(moved.annotations).toHaveLength(1);
    expect(moved.annotations[0]).toMatchObject({ id: made.id, source: 'manual' });
  });

  it('keeps the author of instances a save leaves untouched; changed and new ones are the saver\'s', async () => {
    const stamp = Date.now();
    const [ada, bob] = await Promise.all(['ada', 'bob'].map((n) => db.user.create({ data: { email: `${n}-${stamp}@annotations.test`, passwordHash: 'x', role: 'annotator' } })));
    // Not one of `images`: the gallery-order test below counts those.
    const { id } = await db.image.create({ data: { projectId, sha256: 'a'.repeat(64), fileName: 'authors.jpg', mimeType: 'image/jpeg', width: 100, height: 80, sizeBytes: 1, originalKey: 'o', webKey: 'w', thumbKey: 't' } });
    try {
      const ring = [10, 10, 40, 10, 40, 40, 10, 40];
      const first = await saveImageAnnotations(db, id, { version: 0, annotations: [{ classId: classes.car, polygons: [ring], iscrowd: 0 }, { classId: classes.person, polygons: [[50, 50, 60, 50, 60, 60]], iscrowd: 0 }] }, ada!.id);
      const [kept, moved] = first.annotations;
      await saveImageAnnotations(db, id, {
        version: 1,
        annotations: [
          { id: kept!.id, classId: classes.car, polygons: [ring], iscrowd: 0 },
          { id: moved!.id, classId: classes.person, polygons: [[51, 50, 60, 50, 60, 60]], iscrowd: 0 },
          { classId: classes.car, polygons: [[70, 10, 80, 10, 80, 20]], iscrowd: 0 },
        ],
      }, bob!.id);
      const rows = await db.annotation.findMany({ where: { imageId: id }, orderBy: { createdAt: 'asc' }, select: { id: true, authorId: true } });
      expect(rows.map((r) => r.authorId)).toEqual([ada!.id, bob!.id, bob!.id]);
      expect(rows[0]!.id).toBe(kept!.id);
    } finally {
      await db.image.delete({ where: { id } });
      await db.user.deleteMany({ where: { id: { in: [ada!.id, bob!.id] } } });
    }
  });

  it('refuses the same id twice in one save', async () => {
    const id = images[3]!;
    const current = (await getImageAnnotations(db, id))!;
    const a = current.annotations[0]!;
    const err = await rejection(saveImageAnnotations(db, id, { version: current.version, annotations: [{ id: a.id, classId: a.classId, polygons: a.polygons, iscrowd: 0 }, { id: a.id, classId: a.classId, polygons: a.polygons, iscrowd: 0 }] }));
    expect(err.details[0]).toEqual({ path: 'annotations[1].id', message: expect.stringMatching(/appears twice/) });
  });
});

describe('image workflow', () => {
  it('refuses a verdict on an image nobody marked done, then accepts and rejects with a comment', async () => {
    const id = images[0]!;
    expect((await rejection(setImageStatus(db, id, { status: 'reviewed' }))).status).toBe(409);
    await setImageStatus(db, id, { status: 'done' });
    expect(await setImageStatus(db, id, { status: 'rejected', comment: 'the car is cut off' })).toEqual({ status: 'rejected', reviewComment: 'the car is cut off' });
    expect(await setImageStatus(db, id, { status: 'done' })).toEqual({ status: 'done', reviewComment: 'the car is cut off' });
    expect(await setImageStatus(db, id, { status: 'reviewed' })).toEqual({ status: 'reviewed', reviewComment: null });
    expect((await rejection(setImageStatus(db, id, { status: 'unlabelled' }))).message).toMatch(/has 2 annotation/);
  });

  it('walks the gallery order (newest first) and finds the next unlabelled image, wrapping around', async () => {
    // Images 1..4 were created one second apart; the gallery shows 4, 3, 2, 1.
    const [i1, i2, i3, i4] = images as [string, string, string, string];
    expect(await imageNeighbours(db, i3, {})).toEqual({ previous: i4, next: i2, nextUnlabelled: null, position: 2, total: 4 });
    await db.image.updateMany({ where: { id: { in: [i4, i1] } }, data: { status: 'unlabelled' } });
    expect((await imageNeighbours(db, i3, {}))!.nextUnlabelled).toBe(i1);
    expect((await imageNeighbours(db, i1, {}))!.nextUnlabelled).toBe(i4);
    await db.image.update({ where: { id: i2 }, data: { split: 'val' } });
    expect(await imageNeighbours(db, i2, { split: 'val' })).toMatchObject({ previous: null, next: null, position: 1, total: 1 });
    expect(await imageNeighbours(db, '00000000-0000-4000-8000-000000000000', {})).toBeNull();
  });
});
