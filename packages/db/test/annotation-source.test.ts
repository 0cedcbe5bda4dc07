import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putAnnotationsBodySchema } from '@segmenta/contracts';
import { createDb, type Db } from '../src/client';
import { saveImageAnnotations } from '../src/annotations';
import { testDatabaseUrl } from './helpers';

// Regions a model made in the browser (editor pre-annotation) arrive as new instances marked
// `source: 'model'`; the server keeps that mark only for new instances and decides for stored ones.

let db: Db;
let projectId: string;
let imageId: string;
let car: string;

beforeAll(async () => {
  db = createDb(testDatabaseUrl());
  projectId = (await db.project.create({ data: { name: `annotation source ${Date.now()}` } })).id;
  car = (await db.labelClass.create({ data: { projectId, name: 'car', color: '#009E73', order: 0 } })).id;
  imageId = (await db.image.create({ data: { projectId, sha256: 'b'.repeat(64), fileName: 'b.jpg', mimeType: 'image/jpeg', width: 100, height: 80, sizeBytes: 1, originalKey: 'o', webKey: 'w', thumbKey: 't' } })).id;
});
afterAll(async () => {
  await db.project.delete({ where: { id: projectId } });
  await db.$disconnect();
});

describe("an instance's source on save", () => {
  it('stores new model-made instances as model, and turns them manual once changed; a claim on a stored one is ignored', async () => {
    const ring = [10, 10, 40, 10, 40, 40, 10, 40];
    const body = putAnnotationsBodySchema.parse({ version: 0, annotations: [{ classId: car, polygons: [ring], source: 'model' }, { classId: car, polygons: [ring.map((v) => v + 30)], source: 'manual' }, { classId: car, polygons: [ring.map((v) => v + 5)] }] });
    const saved = await saveImageAnnotations(db, imageId, body);
    expect(saved.annotations.map((a) => a.source)).toEqual(['model', 'manual', 'manual']);
    const [model, manual] = saved.annotations;
    const again = await saveImageAnnotations(db, imageId, { version: saved.version, annotations: [{ id: model!.id, classId: car, polygons: [ring.map((v) => v + 1)], iscrowd: 0, source: 'model' }, { id: manual!.id, classId: car, polygons: manual!.polygons, iscrowd: 0, source: 'model' }] });
    expect(again.annotations.map((a) => [a.id, a.source])).toEqual([[model!.id, 'manual'], [manual!.id, 'manual']]);
    expect(putAnnotationsBodySchema.safeParse({ version: 0, annotations: [{ classId: car, polygons: [ring], source: 'imported' }] }).success).toBe(false);
  });
});
