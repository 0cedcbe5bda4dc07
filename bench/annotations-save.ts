// Editor benchmark (issue #7): saving a heavy image's annotation set. A 4000×3000 image with 200
// polygons of 100 vertices each is PUT through the API again and again (each save a new version);
// the client-measured loopback time is an upper bound on the server's time. Also times the
// in-process save (zod parse + validation + transaction) without HTTP.
// Needs the built web app (`npx turbo run build --filter=@segmenta/web`), PostgreSQL and Redis.
// Run from the repo root: npx tsx bench/annotations-save.ts [--saves 30]
import os from 'node:os';
import { rm } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { putAnnotationsBodySchema } from '@segmenta/contracts';
import { createDb, saveImageAnnotations } from '@segmenta/db';
import { deployMigrations, recreateDatabase } from '@segmenta/db/migrate';
import { freePort, installTestAuth, startWeb, waitForHttp } from '../apps/web/e2e/servers';

installTestAuth();

const { values } = parseArgs({ options: { saves: { type: 'string', default: '30' } } });
const saves = Number(values.saves);
const DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/segmenta_bench';
const DATA_DIR = '/tmp/segmenta-bench-data';
await rm(DATA_DIR, { recursive: true, force: true });
await recreateDatabase(DATABASE_URL);
await deployMigrations(DATABASE_URL);

/** 200 star-ish outlines of 100 vertices spread over a 4000×3000 image; `jitter` makes each save differ. */
function polygons(jitter: number): number[][] {
  const out: number[][] = [];
  for (let k = 0; k < 200; k++) {
    const cx = 150 + (k % 20) * 190, cy = 150 + Math.floor(k / 20) * 280, r = 80;
    const ring: number[] = [];
    for (let v = 0; v < 100; v++) {
      const a = (2 * Math.PI * v) / 100;
      const rr = r * (0.8 + 0.2 * Math.sin(5 * a + k)) + jitter;
      ring.push(Math.round((cx + rr * Math.cos(a)) * 100) / 100, Math.round((cy + rr * Math.sin(a)) * 100) / 100);
    }
    out.push(ring);
  }
  return out;
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => Math.round(s[Math.min(s.length - 1, Math.floor(p * s.length))]! * 10) / 10;
  return `p50 ${q(0.5)} ms, p95 ${q(0.95)} ms, max ${q(1)} ms`;
};

const port = await freePort();
const web = startWeb(port, { DATABASE_URL, DATA_DIR, REDIS_URL: 'redis://127.0.0.1:6379/2', QUEUE_PREFIX: 'segmenta-bench' });
const base = `http://127.0.0.1:${port}`;
const json = { 'content-type': 'application/json' };
try {
  await waitForHttp(`${base}/api/projects`, web);
  const project = (await (await fetch(`${base}/api/projects`, { method: 'POST', headers: json, body: JSON.stringify({ name: 'editor bench' }) })).json()) as { id: string; classes: { id: string }[] };
  const form = new FormData();
  const jpeg = await sharp({ create: { width: 4000, height: 3000, channels: 3, background: '#607080' } }).jpeg().toBuffer();
  form.append('files', new Blob([new Uint8Array(jpeg)]), 'big.jpg');
  const up = (await (await fetch(`${base}/api/projects/${project.id}/images`, { method: 'POST', body: form })).json()) as { images: { id: string }[] };
  const imageId = up.images[0]!.id;
  const classIds = project.classes.map((c) => c.id);
  const bodyFor = (version: number) => ({ version, annotations: polygons(version % 7).map((ring, k) => ({ classId: classIds[k % classIds.length]!, polygons: [ring] })) });
  const bytes = JSON.stringify(bodyFor(0)).length;

  let version = 0;
  const http: number[] = [];
  const server: number[] = [];
  for (let i = 0; i < saves + 3; i++) {
    const text = JSON.stringify(bodyFor(version));
    const t = performance.now();
    const res = await fetch(`${base}/api/images/${imageId}/annotations`, { method: 'PUT', headers: json, body: text });
    const answer = (await res.json()) as { version: number };
    if (res.status !== 200) throw new Error(`save failed: ${res.status} ${JSON.stringify(answer)}`);
    if (i >= 3) {
      // the first saves warm the route up
      http.push(performance.now() - t);
      server.push(Number(/dur=([\d.]+)/.exec(res.headers.get('server-timing') ?? '')?.[1] ?? NaN));
    }
    version = answer.version;
  }
  const reads: number[] = [];
  for (let i = 0; i < saves; i++) {
    const t = performance.now();
    await (await fetch(`${base}/api/images/${imageId}/annotations`)).arrayBuffer();
    reads.push(performance.now() - t);
  }

  const db = createDb(DATABASE_URL);
  const direct: number[] = [];
  for (let i = 0; i < saves; i++) {
    const text = JSON.stringify(bodyFor(version));
    const t = performance.now();
    const saved = await saveImageAnnotations(db, imageId, putAnnotationsBodySchema.parse(JSON.parse(text)));
    direct.push(performance.now() - t);
    version = saved.version;
  }
  await db.$disconnect();

  console.log(`machine: ${os.cpus()[0]?.model} ×${os.cpus().length}, node ${process.version}`);
  console.log(`4000×3000 image, 200 polygons × 100 vertices (${(bytes / 1e6).toFixed(2)} MB JSON), ${saves} saves each`);
  console.log(`PUT through the API, server time (Server-Timing: body read + parse + save): ${stats(server)}`);
  console.log(`PUT through the API (loopback, client-measured): ${stats(http)}`);
  console.log(`save in-process (JSON.parse + zod + checks + transaction): ${stats(direct)}`);
  console.log(`GET the set through the API: ${stats(reads)}`);
} finally {
  await web.stop();
}
