// COCO import benchmark (issue #6): a generated 5,000-image / 50,000-annotation / 10-category COCO file
// posted to `POST /api/projects/:id/import` of the built web app, as a dry run and as a real import,
// each timed from the client (upload, parse, plan, write and answer), then the rows counted.
// The project's 5,000 image rows are inserted directly (the import matches rows by file name and
// reads their sizes; annotation-only imports never open the image files).
// Needs the built web app (`npx turbo run build --filter=@segmenta/web`), PostgreSQL and Redis.
// Run from the repo root: npx tsx bench/coco-import.ts [--images 5000] [--per-image 10] [--vertices 24]
import os from 'node:os';
import { rm } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { polygonsArea, polygonsBbox } from '@segmenta/coco';
import { createDb } from '@segmenta/db';
import { recreateDatabase, deployMigrations } from '@segmenta/db/migrate';
import { seededRandom } from '@segmenta/imaging';
import { freePort, installTestAuth, startWeb, waitForHttp } from '../apps/web/e2e/servers';

installTestAuth();

const { values } = parseArgs({ options: { images: { type: 'string', default: '5000' }, 'per-image': { type: 'string', default: '10' }, vertices: { type: 'string', default: '24' } } });
const nImages = Number(values.images);
const perImage = Number(values['per-image']);
const nVertices = Number(values.vertices);
const W = 1280, H = 960, CATEGORIES = 10;
const DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/segmenta_bench_import';
const DATA_DIR = '/tmp/segmenta-bench-import-data';
await rm(DATA_DIR, { recursive: true, force: true });
await recreateDatabase(DATABASE_URL);
await deployMigrations(DATABASE_URL);

/** A star-shaped polygon (sorted angles, random radii: never self-intersecting) inside the image. */
function polygon(rand: () => number): { ring: number[]; bbox: number[]; area: number } {
  const r = 20 + rand() * 120;
  const cx = r + rand() * (W - 2 * r), cy = r + rand() * (H - 2 * r);
  const ring: number[] = [];
  for (let k = 0; k < nVertices; k++) {
    const a = (2 * Math.PI * (k + rand() * 0.8)) / nVertices;
    const rr = r * (0.5 + rand() * 0.5);
    ring.push(Math.round((cx + rr * Math.cos(a)) * 100) / 100, Math.round((cy + rr * Math.sin(a)) * 100) / 100);
  }
  return { ring, bbox: polygonsBbox([ring]), area: polygonsArea([ring]) };
}

const rand = seededRandom(6);
const fileName = (i: number) => `frame-${String(i).padStart(5, '0')}.jpg`;
const coco = {
  info: { description: 'segmenta bench' },
  images: Array.from({ length: nImages }, (_, i) => ({ id: i + 1, file_name: fileName(i), width: W, height: H })),
  categories: Array.from({ length: CATEGORIES }, (_, c) => ({ id: c + 1, name: `class-${c}` })),
  annotations: Array.from({ length: nImages * perImage }, (_, k) => {
    const p = polygon(rand);
    return { id: k + 1, image_id: Math.floor(k / perImage) + 1, category_id: (k % CATEGORIES) + 1, segmentation: [p.ring], bbox: p.bbox, area: p.area, iscrowd: 0 };
  }),
};
const body = JSON.stringify(coco);

const port = await freePort();
const web = startWeb(port, { DATABASE_URL, DATA_DIR, REDIS_URL: 'redis://127.0.0.1:6379/2', QUEUE_PREFIX: 'segmenta-bench-import' });
const base = `http://127.0.0.1:${port}`;
const db = createDb(DATABASE_URL);
try {
  await waitForHttp(`${base}/api/projects`, web);
  const project = (await (await fetch(`${base}/api/projects`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'coco import bench', classes: [{ name: 'class-0' }] }) })).json()) as { id: string };
  const rows = Array.from({ length: nImages }, (_, i) => ({ projectId: project.id, sha256: i.toString(16).padStart(64, '0'), fileName: fileName(i), mimeType: 'image/jpeg', width: W, height: H, sizeBytes: 1, originalKey: 'o', webKey: 'w', thumbKey: 't' }));
  for (let i = 0; i < rows.length; i += 2000) await db.image.createMany({ data: rows.slice(i, i + 2000) });

  const post = async (dryRun: boolean) => {
    const form = new FormData();
    form.append('annotations', new Blob([body], { type: 'application/json' }), 'instances.json');
    const t = performance.now();
    const res = await fetch(`${base}/api/projects/${project.id}/import?format=coco&createMissingClasses=true&dryRun=${dryRun}`, { method: 'POST', body: form });
    const json = (await res.json()) as { images: number; annotations: number; warnings: unknown[] };
    const s = (performance.now() - t) / 1000;
    if (res.status !== (dryRun ? 200 : 201)) throw new Error(`import (dryRun=${dryRun}) answered ${res.status}: ${JSON.stringify(json).slice(0, 500)}`);
    return { s, json };
  };
  const dry = await post(true);
  const annotationsBefore = await db.annotation.count({ where: { image: { projectId: project.id } } });
  const real = await post(false);
  const [annotations, classes, touched] = await Promise.all([
    db.annotation.count({ where: { image: { projectId: project.id } } }),
    db.labelClass.count({ where: { projectId: project.id } }),
    db.image.count({ where: { projectId: project.id, annotationsVersion: { gt: 0 } } }),
  ]);
  if (annotationsBefore !== 0 || annotations !== coco.annotations.length) throw new Error(`expected 0 then ${coco.annotations.length} annotations, counted ${annotationsBefore} then ${annotations}`);
  console.log(`machine: ${os.cpus()[0]?.model} ×${os.cpus().length}, node ${process.version}`);
  console.log(`COCO file: ${nImages} images, ${coco.annotations.length} polygon annotations (${nVertices} vertices), ${CATEGORIES} categories, ${(body.length / 1e6).toFixed(1)} MB`);
  console.log(`dry run: ${dry.s.toFixed(2)} s (plan: ${dry.json.images} images, ${dry.json.annotations} annotations, ${dry.json.warnings.length} warnings)`);
  console.log(`import:  ${real.s.toFixed(2)} s (${real.json.annotations} annotations; rows after: ${annotations} annotations, ${classes} classes, ${touched} images with a new annotation version)`);
} finally {
  await db.$disconnect();
  await web.stop();
}
