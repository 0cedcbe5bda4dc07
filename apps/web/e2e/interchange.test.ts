import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { apiErrorSchema, loadServerEnv, type ImportResultDto, type ProjectDto } from '@segmenta/contracts';
import { createDb, type Db } from '@segmenta/db';
import { annotatedProject } from './annotated-project';

const base = inject('baseUrl');
let db: Db;
beforeAll(() => {
  db = createDb(loadServerEnv().DATABASE_URL);
});
afterAll(async () => {
  await db.$disconnect();
});

const newProject = async (name: string) => (await (await fetch(`${base}/api/projects`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: `${name} ${Date.now()}`, classes: [{ name: 'circle' }] }) })).json()) as ProjectDto;

function importForm(json: unknown, images?: Uint8Array, imagesName = 'images.zip') {
  const form = new FormData();
  form.append('annotations', new Blob([JSON.stringify(json)], { type: 'application/json' }), 'annotations.json');
  if (images) form.append('images', new Blob([new Uint8Array(images)]), imagesName);
  return form;
}

type Shape = { file: string; category: string; bbox: number[]; area: number; segmentation: unknown; iscrowd: number };
function normalise(coco: { images: { id: number; file_name: string }[]; categories: { id: number; name: string }[]; annotations: { image_id: number; category_id: number; bbox: number[]; area: number; segmentation: unknown; iscrowd: number }[] }): Shape[] {
  const files = new Map(coco.images.map((i) => [i.id, i.file_name]));
  const cats = new Map(coco.categories.map((c) => [c.id, c.name]));
  return coco.annotations
    .map((a) => ({ file: files.get(a.image_id)!, category: cats.get(a.category_id)!, bbox: a.bbox, area: a.area, segmentation: a.segmentation, iscrowd: a.iscrowd }))
    .sort((a, b) => `${a.file}${a.bbox}`.localeCompare(`${b.file}${b.bbox}`));
}

describe('COCO import and export', () => {
  it('exports a project with images, and importing that zip into an empty project reproduces it (dry run first)', async () => {
    const source = await annotatedProject(base, db, 'Export source');
    const zip = new Uint8Array(await (await fetch(`${base}/api/projects/${source.id}/export?includeImages=true`)).arrayBuffer());
    const files = unzipSync(zip);
    const exported = JSON.parse(new TextDecoder().decode(files['annotations.json']!));
    expect(Object.keys(files).filter((f) => f.startsWith('images/'))).toHaveLength(6);
    expect(exported.categories.map((c: { id: number; name: string }) => [c.id, c.name])).toEqual([[1, 'circle'], [2, 'square']]);

    const target = await newProject('Import target');
    const dry = await fetch(`${base}/api/projects/${target.id}/import?format=coco&dryRun=true&createMissingClasses=true`, { method: 'POST', body: importForm(exported, zip) });
    expect(dry.status).toBe(200);
    const plan = (await dry.json()) as ImportResultDto;
    expect(plan).toMatchObject({ dryRun: true, images: 6, annotations: exported.annotations.length, uploaded: 6, categories: { created: ['square'] } });
    expect(await db.image.count({ where: { projectId: target.id } })).toBe(0);

    const real = await fetch(`${base}/api/projects/${target.id}/import?format=coco&createMissingClasses=true`, { method: 'POST', body: importForm(exported, zip) });
    expect(real.status).toBe(201);
    expect(await db.annotation.count({ where: { image: { projectId: target.id } } })).toBe(exported.annotations.length);
    const again = JSON.parse(new TextDecoder().decode(new Uint8Array(await (await fetch(`${base}/api/projects/${target.id}/export`)).arrayBuffer())));
    expect(normalise(again)).toEqual(normalise(exported));

    const train = JSON.parse(await (await fetch(`${base}/api/projects/${source.id}/export?split=train`)).text());
    expect(train.images).toHaveLength(4);
  });

  it('matches Windows paths and Label Studio upload prefixes, accepts category ids from 0, and refuses unknown classes with nothing written', async () => {
    const source = await annotatedProject(base, db, 'LS-style');
    const images = await db.image.findMany({ where: { projectId: source.id }, orderBy: { fileName: 'asc' } });
    const img = images[0]!;
    const coco = {
      images: [{ id: 0, file_name: `C:\\Users\\lab\\export\\1a2b3c4d-${img.fileName}`, width: img.width, height: img.height }],
      categories: [{ id: 0, name: 'Circle' }, { id: 1, name: 'horse' }],
      annotations: [{ id: 1, image_id: 0, category_id: 0, segmentation: [[10, 10, 40, 10, 40, 30, 10, 30]], bbox: [10, 10, 30, 20], area: 600, iscrowd: 0 }],
    };
    const before = await db.annotation.count({ where: { imageId: img.id } });
    const ok = await fetch(`${base}/api/projects/${source.id}/import?format=coco`, { method: 'POST', body: importForm(coco) });
    expect(ok.status).toBe(201);
    expect(await db.annotation.count({ where: { imageId: img.id } })).toBe(before + 1);

    const bad = { ...coco, annotations: [...coco.annotations, { id: 2, image_id: 0, category_id: 1, segmentation: [[1, 1, 5, 1, 5, 5]], bbox: [1, 1, 4, 4], area: 8, iscrowd: 0 }] };
    const refused = await fetch(`${base}/api/projects/${source.id}/import?format=coco`, { method: 'POST', body: importForm(bad) });
    expect(refused.status).toBe(400);
    expect(apiErrorSchema.parse(await refused.json()).error.message).toMatch(/horse/);
    expect(await db.annotation.count({ where: { imageId: img.id } })).toBe(before + 1);

    const broken = await fetch(`${base}/api/projects/${source.id}/import?format=coco`, { method: 'POST', body: importForm({ images: [{ id: 1 }], annotations: [], categories: [] }) });
    expect(broken.status).toBe(400);
    expect(apiErrorSchema.parse(await broken.json()).error.details[0]!.path).toMatch(/^images\[0\]/);
  });

  it('imports a Label Studio export (polygons in percent) onto the matching image', async () => {
    const source = await annotatedProject(base, db, 'Label Studio');
    const img = (await db.image.findFirstOrThrow({ where: { projectId: source.id }, orderBy: { fileName: 'asc' } }))!;
    const ls = [
      {
        id: 7,
        data: { image: `/data/upload/3/0badcafe-${img.fileName}` },
        annotations: [
          {
            id: 1,
            was_cancelled: false,
            result: [{ type: 'polygonlabels', original_width: img.width, original_height: img.height, value: { points: [[10, 10], [50, 10], [50, 50]], polygonlabels: ['square'] } }],
          },
        ],
      },
    ];
    const before = await db.annotation.count({ where: { imageId: img.id } });
    const res = await fetch(`${base}/api/projects/${source.id}/import?format=labelstudio`, { method: 'POST', body: importForm(ls) });
    expect(res.status).toBe(201);
    const added = await db.annotation.findMany({ where: { imageId: img.id }, orderBy: { createdAt: 'desc' }, take: 1, include: { labelClass: true } });
    expect(await db.annotation.count({ where: { imageId: img.id } })).toBe(before + 1);
    expect(added[0]!.labelClass.name).toBe('square');
    expect(added[0]!.bboxW).toBeCloseTo(img.width * 0.4, 1);
  });
});
