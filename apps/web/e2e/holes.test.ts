// Regions with holes through the real API: what is stored is what pycocotools reads from the export
// (masks and areas from pycocotools itself, packages/coco/test/fixtures/holes/golden.json), importing
// the export back keeps the holes, and the review grades predictions against the holed ground truth.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { distanceToRings, encodeMask, instanceToRle, ringNesting, type Ring, type Rle } from '@segmenta/coco';
import { loadServerEnv, type ImageAnnotationsDto, type ProjectDto, type ReviewDto, type UploadResultDto } from '@segmenta/contracts';
import { createDb, type Db } from '@segmenta/db';
import { SCREENSHOT_DIR, useChromium } from './browser';

const base = inject('baseUrl');
const chromium = useChromium();
const json = { 'content-type': 'application/json' };
const fixtures = new URL('../../../packages/coco/test/fixtures/holes/', import.meta.url);
const cases = JSON.parse(readFileSync(new URL('instances.json', fixtures), 'utf8')) as { name: string; height: number; width: number; rings: Ring[] }[];
const golden = (JSON.parse(readFileSync(new URL('golden.json', fixtures), 'utf8')) as { cases: { name: string; counts: string; area: number; exported: { area: number; bbox: number[] } }[] }).cases;
/** Hand-picked cases: a hole, an island in a hole, overlapping holes, a part across a hole. */
const picked = ['circle with a circular hole, wound the other way', 'donut with an island in the hole', 'overlapping holes remove their union', 'a part drawn across a hole fills what it covers'].map((name) => cases.findIndex((c) => c.name === name));

let db: Db;
beforeAll(() => {
  db = createDb(loadServerEnv().DATABASE_URL);
});
afterAll(async () => {
  await db.$disconnect();
});

async function newProject(name: string): Promise<ProjectDto> {
  const res = await fetch(`${base}/api/projects`, { method: 'POST', headers: json, body: JSON.stringify({ name: `${name} ${Date.now()}`, classes: [{ name: 'thing' }] }) });
  expect(res.status).toBe(201);
  return (await res.json()) as ProjectDto;
}

async function upload(projectId: string, files: { name: string; width: number; height: number }[]): Promise<string[]> {
  const form = new FormData();
  for (const f of files) {
    const png = await sharp({ create: { width: f.width, height: f.height, channels: 3, background: { r: 90, g: 120, b: 150 } } }).png().toBuffer();
    form.append('files', new Blob([new Uint8Array(png)]), f.name);
  }
  const body = (await (await fetch(`${base}/api/projects/${projectId}/images`, { method: 'POST', body: form })).json()) as UploadResultDto;
  expect(body.errors).toEqual([]);
  return body.images.map((i) => i.id);
}

const annotations = async (imageId: string) => (await (await fetch(`${base}/api/images/${imageId}/annotations`)).json()) as ImageAnnotationsDto;

/** Largest distance from a vertex of `traced` to the nearest outline among `drawn`, in pixels. */
function distanceToOutlines(traced: Ring, drawn: readonly Ring[]): number {
  let worst = 0;
  for (let i = 0; i < traced.length; i += 2) worst = Math.max(worst, distanceToRings(traced[i]!, traced[i + 1]!, drawn));
  return worst;
}

describe('regions with holes', () => {
  let source: ProjectDto;
  let imageIds: string[];

  it("stores the area pycocotools gives the exported RLE, and exports the hole as pycocotools' mask", async () => {
    source = await newProject('Holes');
    imageIds = await upload(source.id, picked.map((c) => ({ name: `case-${c + 1}.png`, width: cases[c]!.width, height: cases[c]!.height })));
    for (const [k, c] of picked.entries()) {
      const res = await fetch(`${base}/api/images/${imageIds[k]}/annotations`, { method: 'PUT', headers: json, body: JSON.stringify({ version: 0, annotations: [{ className: 'thing', polygons: cases[c]!.rings }] }) });
      expect(res.status).toBe(200);
      const stored = (await annotations(imageIds[k]!)).annotations[0]!;
      expect(stored.polygons).toEqual(cases[c]!.rings);
      expect(stored.area).toBe(golden[c]!.area);
    }
    const exported = JSON.parse(await (await fetch(`${base}/api/projects/${source.id}/export`)).text()) as { images: { id: number; file_name: string }[]; annotations: { image_id: number; segmentation: Rle; area: number; bbox: number[]; iscrowd: number }[] };
    for (const c of picked) {
      const image = exported.images.find((i) => i.file_name === `case-${c + 1}.png`)!;
      const ann = exported.annotations.find((a) => a.image_id === image.id)!;
      expect(ann.segmentation).toEqual({ size: [cases[c]!.height, cases[c]!.width], counts: golden[c]!.counts });
      expect([ann.area, ann.bbox, ann.iscrowd]).toEqual([golden[c]!.exported.area, golden[c]!.exported.bbox, 0]);
    }
  });

  it('imports the export back as editable rings with the same pixels and area, within a pixel of the drawn rings', async () => {
    const zip = new Uint8Array(await (await fetch(`${base}/api/projects/${source.id}/export?includeImages=true`)).arrayBuffer());
    const exported = JSON.parse(new TextDecoder().decode(unzipSync(zip)['annotations.json']!));
    const target = await newProject('Holes back');
    const form = new FormData();
    form.append('annotations', new Blob([JSON.stringify(exported)], { type: 'application/json' }), 'annotations.json');
    form.append('images', new Blob([zip]), 'images.zip');
    const res = await fetch(`${base}/api/projects/${target.id}/import?format=coco`, { method: 'POST', body: form });
    expect(res.status).toBe(201);
    expect((await res.json()).warnings).toEqual([]);
    for (const c of picked) {
      const image = await db.image.findFirstOrThrow({ where: { projectId: target.id, fileName: `case-${c + 1}.png` }, select: { id: true } });
      const [ann] = (await annotations(image.id)).annotations;
      const { height, width, rings } = cases[c]!;
      expect(instanceToRle(ann!.polygons, height, width).counts).toBe(golden[c]!.counts);
      expect(ann!.area).toBe(golden[c]!.area);
      // Traced along pixel edges, every vertex within a pixel of what was drawn. Overlapping holes
      // come back as one hole (their union), a part across a hole as part of the outline.
      for (const traced of ann!.polygons) expect(distanceToOutlines(traced, rings)).toBeLessThanOrEqual(1);
      const depths = ringNesting(ann!.polygons).depth;
      expect(depths.some((d) => d % 2 === 1)).toBe(true);
      if (c === picked[0] || c === picked[1]) expect(depths).toEqual(ringNesting(rings).depth);
    }
  });

  it('grades a prediction of the ring as a true positive, and one of the filled outline as a miss', async () => {
    const project = await newProject('Holes review');
    const [imageId] = await upload(project.id, [{ name: 'frame.png', width: 60, height: 60 }]);
    const outer = [10, 10, 50, 10, 50, 50, 10, 50];
    const hole = [12, 12, 48, 12, 48, 48, 12, 48];
    expect((await fetch(`${base}/api/images/${imageId}/annotations`, { method: 'PUT', headers: json, body: JSON.stringify({ version: 0, annotations: [{ className: 'thing', polygons: [outer, hole] }] }) })).status).toBe(200);
    const run = await db.trainingRun.create({ data: { projectId: project.id, name: 'holes', config: {}, status: 'completed' } });
    const frame = new Uint8Array(60 * 60);
    for (let y = 10; y < 50; y++) for (let x = 10; x < 50; x++) frame[y * 60 + x] = x < 12 || x >= 48 || y < 12 || y >= 48 ? 1 : 0;
    const classId = project.classes[0]!.id;
    const prediction = (score: number, rle: Rle) => ({ runId: run.id, imageId: imageId!, labelClassId: classId, classIndex: 1, score, bboxX: 10, bboxY: 10, bboxW: 40, bboxH: 40, maskRle: { ...rle } });
    await db.prediction.create({ data: prediction(0.9, encodeMask(frame, 60, 60)) });
    const review = async () => (await (await fetch(`${base}/api/runs/${run.id}/review?scoreThreshold=0.5`)).json()) as ReviewDto;
    expect((await review()).images[0]).toMatchObject({ tp: 1, fp: 0, fn: 0 });
    // The outline filled in: IoU 304 / 1600 with the holed ground truth.
    await db.prediction.deleteMany({ where: { runId: run.id } });
    await db.prediction.create({ data: prediction(0.9, encodeMask(new Uint8Array(60 * 60).map((_, i) => (i % 60 >= 10 && i % 60 < 50 && i >= 600 && i < 3000 ? 1 : 0)), 60, 60)) });
    expect((await review()).images[0]).toMatchObject({ tp: 0, fp: 1, fn: 1 });

    // The review page's ground-truth view leaves the hole unpainted, as it is stored.
    const page = await chromium().newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`${base}/projects/${project.id}/runs/${run.id}/review`);
    await page.getByRole('button', { name: 'Open frame.png' }).click();
    const truth = page.getByRole('img', { name: 'Ground truth of frame.png' });
    await page.waitForFunction(() => document.querySelector('canvas[aria-label="Ground truth of frame.png"]')?.getAttribute('data-drawn') === 'true');
    const box = (await truth.boundingBox())!;
    const shot = await sharp(await page.screenshot()).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const at = (x: number, y: number) => {
      const i = 3 * (Math.round(box.y + (y * box.height) / 60) * shot.info.width + Math.round(box.x + (x * box.width) / 60));
      return [shot.data[i]!, shot.data[i + 1]!, shot.data[i + 2]!];
    };
    const painted = (p: number[]) => p.some((v, i) => Math.abs(v - at(55, 55)[i]!) > 8);
    expect([painted(at(30, 30)), painted(at(11, 30)), painted(at(30, 49))]).toEqual([false, true, true]);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'review-hole.png') });
    await page.close();
  });
});
