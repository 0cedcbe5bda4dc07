// Datasets benchmark (issue #5): upload throughput through the API against a bare sharp loop doing the
// same decode/rotate/resize work, and the latency of the first gallery page of a 10,000-image project.
// Needs the built web app (`npx turbo run build --filter=@segmenta/web`), PostgreSQL and Redis.
// Run from the repo root: npx tsx bench/upload-throughput.ts [--photos 100]
import os from 'node:os';
import { rm } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { createDb } from '@segmenta/db';
import { recreateDatabase, deployMigrations } from '@segmenta/db/migrate';
import { processUpload, seededRandom } from '@segmenta/imaging';
import { freePort, installTestAuth, startWeb, waitForHttp } from '../apps/web/e2e/servers';

installTestAuth();

const { values } = parseArgs({ options: { photos: { type: 'string', default: '100' } } });
const n = Number(values.photos);
const DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/segmenta_bench';
const DATA_DIR = '/tmp/segmenta-bench-data';
await rm(DATA_DIR, { recursive: true, force: true });
await recreateDatabase(DATABASE_URL);
await deployMigrations(DATABASE_URL);

// 4000×3000 "photos": smooth random gradients plus a few blocks, JPEG q90, each one different.
async function photo(i: number): Promise<Buffer> {
  const rand = seededRandom(i + 1);
  const w = 400, h = 300;
  const small = Buffer.alloc(w * h * 3);
  for (let p = 0; p < small.length; p++) small[p] = Math.floor(rand() * 255);
  return sharp(small, { raw: { width: w, height: h, channels: 3 } }).resize(4000, 3000, { kernel: 'cubic' }).jpeg({ quality: 90 }).withMetadata({ orientation: 1 + (i % 8) }).toBuffer();
}
const photos: Buffer[] = [];
for (let i = 0; i < n; i++) photos.push(await photo(i));
const mb = photos.reduce((a, p) => a + p.length, 0) / 1e6;

let t = performance.now();
for (const p of photos) await processUpload(p);
const bare = (performance.now() - t) / 1000;

const port = await freePort();
const web = startWeb(port, { DATABASE_URL, DATA_DIR, REDIS_URL: 'redis://127.0.0.1:6379/2', QUEUE_PREFIX: 'segmenta-bench' });
const base = `http://127.0.0.1:${port}`;
try {
  await waitForHttp(`${base}/api/projects`, web);
  const project = (await (await fetch(`${base}/api/projects`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'bench' }) })).json()) as { id: string };
  t = performance.now();
  for (const [i, p] of photos.entries()) {
    const form = new FormData();
    form.append('files', new Blob([new Uint8Array(p)]), `photo-${i}.jpg`);
    const res = await fetch(`${base}/api/projects/${project.id}/images`, { method: 'POST', body: form });
    if (res.status !== 201) throw new Error(`upload ${i} failed: ${res.status} ${await res.text()}`);
  }
  const api = (performance.now() - t) / 1000;

  // 10,000 image rows (listing reads rows only, so the files need not exist).
  const db = createDb(DATABASE_URL);
  const big = (await (await fetch(`${base}/api/projects`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'ten thousand' }) })).json()) as { id: string };
  const rows = Array.from({ length: 10_000 }, (_, i) => ({ projectId: big.id, sha256: i.toString(16).padStart(64, '0'), fileName: `f${i}.jpg`, mimeType: 'image/jpeg', width: 4000, height: 3000, sizeBytes: 1, originalKey: 'o', webKey: 'w', thumbKey: 't', split: (['train', 'val', 'test'] as const)[i % 3] }));
  for (let i = 0; i < rows.length; i += 2000) await db.image.createMany({ data: rows.slice(i, i + 2000) });
  const lat = async (q: string) => {
    const times: number[] = [];
    for (let i = 0; i < 21; i++) {
      const s = performance.now();
      const res = await fetch(`${base}/api/projects/${big.id}/images?${q}`);
      await res.arrayBuffer();
      times.push(performance.now() - s);
    }
    times.sort((a, b) => a - b);
    return { p50: Math.round(times[10]! * 10) / 10, max: Math.round(times[20]! * 10) / 10 };
  };
  const first = await lat('limit=100');
  const filtered = await lat('limit=100&split=val');
  await db.$disconnect();
  console.log(`machine: ${os.cpus()[0]?.model} ×${os.cpus().length}, node ${process.version}`);
  console.log(`${n} photos 4000×3000 JPEG (${mb.toFixed(1)} MB): bare sharp loop ${bare.toFixed(1)} s (${(n / bare).toFixed(2)}/s); through the API ${api.toFixed(1)} s (${(n / api).toFixed(2)}/s); API/bare throughput ${(bare / api * 100).toFixed(0)} %`);
  console.log(`first gallery page (100 of 10,000), client-measured on loopback, 21 requests: p50 ${first.p50} ms, max ${first.max} ms; with split filter: p50 ${filtered.p50} ms, max ${filtered.max} ms`);
} finally {
  await web.stop();
}
