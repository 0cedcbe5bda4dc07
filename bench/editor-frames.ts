// Annotation editor (issue #7): frame times while panning and zooming a 4000×3000 image carrying 200
// polygons of 100 vertices each, in headless Chromium (software rendering, --disable-gpu, as the
// e2e tests run it). Frames are requestAnimationFrame deltas sampled in the page while real wheel and
// middle-button drag events arrive through the DevTools protocol; the editor's own draw time per
// frame comes from window.__segmentaEditor.renders.
// Needs the built web app (`npx turbo run build --filter=@segmenta/web`), PostgreSQL, Redis, /usr/bin/chromium.
// Run from the repo root: npx tsx bench/editor-frames.ts [--seconds 6]
import os from 'node:os';
import { rm } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { chromium } from 'playwright-core';
import type { ImageAnnotationsDto, ProjectDto, UploadResultDto } from '@segmenta/contracts';
import { deployMigrations, recreateDatabase } from '@segmenta/db/migrate';
import { seededRandom } from '@segmenta/imaging';
import { freePort, startWeb, waitForHttp } from '../apps/web/e2e/servers';

declare global {
  interface Window {
    __segmentaEditor?: { renders: number[]; view: () => { scale: number; x: number; y: number } };
  }
}

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '6' } } });
const seconds = Number(values.seconds);
const DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/segmenta_bench_editor';
const DATA_DIR = '/tmp/segmenta-bench-editor';
const ADMIN = { email: 'bench@example.test', password: 'bench-editor-password', token: 'bench-editor-token-0123456789abcdef' };
await rm(DATA_DIR, { recursive: true, force: true });
await recreateDatabase(DATABASE_URL);
await deployMigrations(DATABASE_URL);

const W = 4000, H = 3000;
async function photo(): Promise<Buffer> {
  const rand = seededRandom(7);
  const small = Buffer.alloc(400 * 300 * 3);
  for (let p = 0; p < small.length; p++) small[p] = Math.floor(rand() * 255);
  return sharp(small, { raw: { width: 400, height: 300, channels: 3 } }).resize(W, H, { kernel: 'cubic' }).jpeg({ quality: 90 }).toBuffer();
}

/** 200 star-shaped (simple, non-crossing) polygons of 100 vertices on a 20 × 10 grid. */
function polygons(): number[][] {
  const rand = seededRandom(11);
  const out: number[][] = [];
  for (let gy = 0; gy < 10; gy++) {
    for (let gx = 0; gx < 20; gx++) {
      const cx = 100 + gx * 200, cy = 150 + gy * 300;
      const ring: number[] = [];
      for (let k = 0; k < 100; k++) {
        const a = (k / 100) * Math.PI * 2;
        const r = 60 + 35 * rand();
        ring.push(Math.round((cx + r * Math.cos(a)) * 100) / 100, Math.round((cy + r * 1.4 * Math.sin(a)) * 100) / 100);
      }
      out.push(ring);
    }
  }
  return out;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

const port = await freePort();
const web = startWeb(port, { DATABASE_URL, DATA_DIR, REDIS_URL: 'redis://127.0.0.1:6379/3', QUEUE_PREFIX: 'segmenta-bench-editor', SEGMENTA_ADMIN_EMAIL: ADMIN.email, SEGMENTA_ADMIN_PASSWORD: ADMIN.password, SEGMENTA_ADMIN_TOKEN: ADMIN.token });
const base = `http://127.0.0.1:${port}`;
const headers = { authorization: `Bearer ${ADMIN.token}` };
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'] });
try {
  await waitForHttp(`${base}/api/projects`, web, (s) => s === 200 || s === 401);
  const project = (await (await fetch(`${base}/api/projects`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'editor bench', classes: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] }) })).json()) as ProjectDto;
  const form = new FormData();
  form.append('files', new Blob([new Uint8Array(await photo())]), 'big.jpg');
  const up = (await (await fetch(`${base}/api/projects/${project.id}/images`, { method: 'POST', headers, body: form })).json()) as UploadResultDto;
  const imageId = up.images[0]!.id;
  const rings = polygons();
  const t = performance.now();
  const put = await fetch(`${base}/api/images/${imageId}/annotations`, { method: 'PUT', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ version: 0, annotations: rings.map((r, i) => ({ classId: project.classes[i % 3]!.id, polygons: [r] })) }) });
  const putMs = performance.now() - t;
  if (!put.ok) throw new Error(`PUT failed: ${put.status} ${await put.text()}`);
  const saved = (await put.json()) as ImageAnnotationsDto;

  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  await context.request.post(`${base}/api/auth/sign-in`, { data: { email: ADMIN.email, password: ADMIN.password } });
  const page = await context.newPage();
  await page.goto(`${base}/projects/${project.id}/images/${imageId}`);
  await page.waitForSelector('[aria-label="Save state"][data-save-state="saved"]');
  await page.waitForFunction(() => (document.querySelector('main img') as HTMLImageElement | null)?.complete === true && !!window.__segmentaEditor);
  // One region selected, so its 100 vertex handles are drawn in every frame too.
  await page.getByRole('button', { name: /^Region 1:/ }).click();
  const box = (await page.locator('canvas[aria-label="Annotation canvas"]').boundingBox())!;
  const cx = box.x + box.width / 2, cy = box.y + box.height / 2;

  // A string, not a function: tsx would wrap named functions in a helper the page does not have.
  await page.evaluate(`(() => {
    window.__segmentaEditor.renders.length = 0;
    window.__frames = [];
    window.__stop = false;
    const tick = (ts) => {
      window.__frames.push(ts);
      if (!window.__stop) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  })()`);
  const end = Date.now() + seconds * 1000;
  let round = 0;
  while (Date.now() < end) {
    // Zoom in and out around moving points, then pan with the middle button.
    const x = cx + Math.sin(round) * box.width * 0.3, y = cy + Math.cos(round * 1.3) * box.height * 0.3;
    await page.mouse.move(x, y);
    for (let i = 0; i < 6; i++) await page.mouse.wheel(0, round % 2 === 0 ? -120 : 120);
    await page.mouse.down({ button: 'middle' });
    await page.mouse.move(x + 200 * Math.cos(round), y + 150 * Math.sin(round), { steps: 20 });
    await page.mouse.up({ button: 'middle' });
    round++;
  }
  const { frames, renders, scale } = await page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __stop: boolean };
    w.__stop = true;
    return { frames: w.__frames, renders: [...window.__segmentaEditor!.renders], scale: window.__segmentaEditor!.view().scale };
  });
  const deltas = frames.slice(1).map((f, i) => f - frames[i]!);
  const version = browser.version();
  console.log(`machine: ${os.cpus()[0]?.model} ×${os.cpus().length} (nproc ${os.availableParallelism()}), node ${process.version}, Chromium ${version} headless --disable-gpu, viewport 1400×1000, canvas ${Math.round(box.width)}×${Math.round(box.height)}`);
  console.log(`scene: ${W}×${H} image, ${saved.annotations.length} polygons × ${rings[0]!.length / 2} vertices (one selected, handles drawn); PUT of the whole set: ${putMs.toFixed(0)} ms client-measured`);
  console.log(`${seconds} s of wheel zoom + middle-drag pan, ${round} rounds, final zoom ${(scale * 100).toFixed(0)} %`);
  console.log(`frames (rAF deltas, n=${deltas.length}): median ${pct(deltas, 50).toFixed(1)} ms = ${(1000 / pct(deltas, 50)).toFixed(1)} fps; p95 ${pct(deltas, 95).toFixed(1)} ms = ${(1000 / pct(deltas, 95)).toFixed(1)} fps; worst ${Math.max(...deltas).toFixed(1)} ms`);
  console.log(`editor draw per frame (n=${renders.length}): median ${pct(renders, 50).toFixed(2)} ms, p95 ${pct(renders, 95).toFixed(2)} ms, max ${Math.max(...renders).toFixed(2)} ms`);
} finally {
  await browser.close();
  await web.stop();
}
