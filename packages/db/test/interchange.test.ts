import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeMask, type PlannedAnnotation } from '@segmenta/coco';
import { applyAnnotationImport } from '../src/interchange';
import { createDb, type Db } from '../src/client';
import { testDatabaseUrl } from './helpers';

// The import's writer: batched INSERTs of planned annotations, new classes, version bumps, all in one
// transaction.

let db: Db;
let projectId: string;
let classId: string;
const stamp = Date.now();

async function image(name: string) {
  return db.image.create({ data: { projectId, sha256: `${name}-${stamp}`.padEnd(64, '0'), fileName: `${name}.png`, mimeType: 'image/png', width: 8, height: 6, sizeBytes: 1, originalKey: 'o', webKey: 'w', thumbKey: 't' } });
}

const polygon = (imageId: string, i: number, cls: { classId: string | null; newClassName: string | null }): PlannedAnnotation => ({
  cocoAnnotationId: i,
  imageId,
  ...cls,
  polygons: [[i, 0, i + 2, 0, i + 2, 3.5]],
  rle: null,
  bbox: [i, 0, 2, 3.5],
  area: 3.5,
  iscrowd: 0,
});

beforeAll(async () => {
  db = createDb(testDatabaseUrl());
  projectId = (await db.project.create({ data: { name: `interchange ${stamp}` } })).id;
  classId = (await db.labelClass.create({ data: { projectId, name: 'circle', color: '#000000', order: 0 } })).id;
});
afterAll(async () => {
  await db.project.delete({ where: { id: projectId } });
  await db.$disconnect();
});

describe('applyAnnotationImport', () => {
  it('writes polygons, crowd RLE and new classes, and bumps each touched image once', async () => {
    const [a, b] = [await image('a'), await image('b')];
    const crowd = encodeMask(Uint8Array.from({ length: 48 }, (_, i) => (i % 8 < 3 ? 1 : 0)), 6, 8);
    // More rows than one INSERT batch takes, so the batching is crossed.
    const many = Array.from({ length: 5_003 }, (_, i) => polygon(i % 2 ? a.id : b.id, i, i % 3 ? { classId, newClassName: null } : { classId: null, newClassName: 'horse' }));
    const rows = [...many, { ...polygon(a.id, 9_999, { classId, newClassName: null }), polygons: [], rle: crowd, bbox: [0, 0, 3, 6], area: 18, iscrowd: 1 } satisfies PlannedAnnotation];
    const res = await applyAnnotationImport(db, projectId, rows, ['horse'], ['#111111', '#222222']);
    expect(res).toEqual({ annotations: 5_004, images: 2, createdClasses: ['horse'] });

    const horse = await db.labelClass.findFirstOrThrow({ where: { projectId, name: 'horse' } });
    expect([horse.order, horse.color]).toEqual([1, '#222222']);
    expect(await db.annotation.count({ where: { labelClassId: horse.id } })).toBe(many.filter((m) => m.newClassName).length);
    const stored = await db.annotation.findMany({ where: { image: { projectId } }, orderBy: { bboxX: 'asc' } });
    expect(stored).toHaveLength(5_004);
    const first = stored.find((s) => s.bboxX === 1)!;
    expect(first).toMatchObject({ imageId: a.id, labelClassId: classId, polygons: [[1, 0, 3, 0, 3, 3.5]], rle: null, bboxY: 0, bboxW: 2, bboxH: 3.5, area: 3.5, iscrowd: false, source: 'imported', version: 1, authorId: null });
    const crowdRow = stored.find((s) => s.iscrowd)!;
    expect(crowdRow).toMatchObject({ polygons: [], rle: { size: [6, 8], counts: crowd.counts }, area: 18 });
    const images = await db.image.findMany({ where: { projectId }, select: { status: true, annotationsVersion: true } });
    expect(images).toEqual([{ status: 'in_progress', annotationsVersion: 1 }, { status: 'in_progress', annotationsVersion: 1 }]);
  });

  it('writes nothing, not even the new classes, when one row cannot be written', async () => {
    const c = await image('c');
    const before = await db.annotation.count({ where: { image: { projectId } } });
    const bad = polygon('00000000-0000-4000-8000-000000000000', 7, { classId, newClassName: null }); // no such image
    await expect(applyAnnotationImport(db, projectId, [polygon(c.id, 1, { classId: null, newClassName: 'zebra' }), bad], ['zebra'], ['#000000'])).rejects.toThrow();
    expect(await db.annotation.count({ where: { image: { projectId } } })).toBe(before);
    expect(await db.labelClass.count({ where: { projectId, name: 'zebra' } })).toBe(0);
    expect((await db.image.findUniqueOrThrow({ where: { id: c.id } })).annotationsVersion).toBe(0);
  });
});
