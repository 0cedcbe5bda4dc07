import { stat } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { chromium as playwright, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { apiErrorSchema, loadServerEnv, type ProjectDto, type RunDto, type UploadResultDto } from '@segmenta/contracts';
import { createDb, type Db } from '@segmenta/db';
import { renderScene } from '@segmenta/imaging';
import { annotatedProject } from './annotated-project';
import { asTestAdmin, SCREENSHOT_DIR } from './browser';
import { annotations, openEditor, serverUntil } from './editor-page';
import { rawFetch } from './servers';

// The editor's in-browser pre-annotation (TensorFlow.js in Chromium) with a tiny model the suite's
// worker trains here: parity with POST /api/predict on WebGL and on WebAssembly, model-made regions
// through autosave, and the route that serves the model files.

const base = inject('baseUrl');
const env = loadServerEnv();
const json = { 'content-type': 'application/json' };
let db: Db;
let browser: Browser;
let project: ProjectDto;
let run: RunDto;
let best: RunDto['checkpoints'][number];
let imageIds: string[] = [];

/**
 * Chromium as browser.ts launches it, but asking for WebGL explicitly: ANGLE on SwiftShader (a
 * software GPU) gives headless Chromium WebGL 2 with float32 render targets, which tfjs-backend-webgl
 * needs. Debian's Chromium 156 falls back to it even under --disable-gpu; newer builds do so only with
 * --enable-unsafe-swiftshader, hence the flags.
 */
async function launchWithWebGl(): Promise<Browser> {
  return asTestAdmin(
    await playwright.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    }),
  );
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  for (const started = Date.now(); Date.now() - started < timeoutMs; await new Promise((r) => setTimeout(r, 500))) {
    const v = await probe();
    if (v !== undefined) return v;
  }
  throw new Error(`${what} did not happen in ${timeoutMs} ms`);
}

beforeAll(async () => {
  db = createDb(env.DATABASE_URL);
  browser = await launchWithWebGl();
  project = await annotatedProject(base, db, 'Browser pre-annotate');
  const res = await fetch(`${base}/api/projects/${project.id}/runs`, { method: 'POST', headers: json, body: JSON.stringify({ name: 'tiny in-browser', preset: 'tiny', epochs: 2, batchSize: 2, optimizer: { type: 'adam', learningRate: 1e-3 }, seed: 5 }) });
  expect(res.status).toBe(202);
  const { id } = (await res.json()) as { id: string };
  run = await waitFor('training', async () => {
    const r = (await (await fetch(`${base}/api/runs/${id}`)).json()) as RunDto;
    return r.status === 'completed' || r.status === 'failed' ? r : undefined;
  }, 300_000);
  expect(run.error).toBeNull();
  best = run.checkpoints.find((c) => c.isBest)!;
  expect(best).toBeDefined();
  imageIds = (await db.image.findMany({ where: { projectId: project.id }, orderBy: { id: 'asc' }, select: { id: true } })).map((i) => i.id);
}, 400_000);

afterAll(async () => {
  await browser?.close();
  await db?.$disconnect();
});

interface Shown {
  backend: string;
  added: number;
  text: string;
  detections: { className: string; score: number; bbox: number[] }[];
}

/** Sets the control, presses Pre-annotate and reads what it shows (or throws with its error). */
async function preannotate(page: Page, opts: { backend: string; threshold: number }): Promise<Shown> {
  const section = page.locator('section[aria-label="Pre-annotate"]');
  await section.locator('select[aria-label="Pre-annotation model"]').selectOption(run.id);
  await section.locator('select[aria-label="Pre-annotation backend"]').selectOption(opts.backend);
  await section.locator('input[aria-label="Pre-annotation score threshold"]').fill(String(opts.threshold));
  await section.getByRole('button', { name: 'Pre-annotate this image' }).click();
  const done = section.locator('[aria-label="Pre-annotation result"], [role="alert"]');
  await done.first().waitFor({ timeout: 120_000 });
  const alert = section.locator('[role="alert"]');
  if (await alert.count()) throw new Error(`pre-annotation failed in the page: ${await alert.first().textContent()}`);
  const result = section.locator('[aria-label="Pre-annotation result"]');
  const detections = await section.locator('ul[aria-label="Model detections"] li').evaluateAll((lis) =>
    lis.map((li) => ({ className: li.getAttribute('data-class')!, score: Number(li.getAttribute('data-score')), bbox: li.getAttribute('data-bbox')!.split(',').map(Number) })),
  );
  return { backend: (await result.getAttribute('data-backend'))!, added: Number(await result.getAttribute('data-added')), text: (await result.textContent()) ?? '', detections };
}

interface ServerResult {
  category_name: string;
  score: number;
  bbox: [number, number, number, number];
}

async function serverPredict(bytes: Uint8Array, scoreThreshold: number): Promise<ServerResult[]> {
  const form = new FormData();
  form.append('image', new Blob([new Uint8Array(bytes)]), 'web.jpg');
  form.append('runId', run.id);
  form.append('scoreThreshold', String(scoreThreshold));
  const res = await fetch(`${base}/api/predict`, { method: 'POST', body: form });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as ServerResult[];
}

/** A threshold in a clear gap between scores (≥ 0.01 wide), keeping 1–10 detections, so rounding cannot move one across it. */
function thresholdWithGap(scores: number[]): number {
  const s = [...scores].sort((a, b) => b - a);
  const gaps: number[] = [];
  for (let k = 0; k < s.length; k++) if (s[k]! - (s[k + 1] ?? 0) >= 0.01) gaps.push(k);
  expect(gaps.length, `scores ${s.join(', ')}`).toBeGreaterThan(0);
  const k = [...gaps].reverse().find((g) => g < 10) ?? gaps[0]!;
  return (s[k]! + (s[k + 1] ?? 0)) / 2;
}

/** Same count; each browser detection has a server twin of its class with the box within 0.5 px and the score within 1e-3. */
function expectParity(browserDets: Shown['detections'], server: ServerResult[], scale: [number, number]) {
  expect(browserDets.length).toBe(server.length);
  const left = server.map((r) => ({ className: r.category_name, score: r.score, bbox: [r.bbox[0] * scale[0], r.bbox[1] * scale[1], (r.bbox[0] + r.bbox[2]) * scale[0], (r.bbox[1] + r.bbox[3]) * scale[1]] }));
  for (const d of browserDets) {
    const box = [d.bbox[0]!, d.bbox[1]!, d.bbox[0]! + d.bbox[2]!, d.bbox[1]! + d.bbox[3]!];
    const dist = (b: number[]) => Math.max(...b.map((v, i) => Math.abs(v - box[i]!)));
    const twins = left.filter((r) => r.className === d.className).sort((a, b) => dist(a.bbox) - dist(b.bbox));
    const twin = twins[0];
    expect(twin, `no server detection of class ${d.className} for ${JSON.stringify(d)}`).toBeDefined();
    expect(dist(twin!.bbox), `box of ${JSON.stringify(d)} vs ${JSON.stringify(twin)}`).toBeLessThanOrEqual(0.5);
    expect(Math.abs(twin!.score - d.score), `score of ${JSON.stringify(d)} vs ${JSON.stringify(twin)}`).toBeLessThanOrEqual(1e-3);
    left.splice(left.indexOf(twin!), 1);
  }
}

describe('pre-annotation in the browser', () => {
  /** The server's answer for the web-size image the editor runs on, at a threshold with detections. */
  async function serverReference(imageId: string) {
    const webBytes = new Uint8Array(await (await fetch(`${base}/api/images/${imageId}/file?variant=web`)).arrayBuffer());
    const web = await sharp(webBytes).metadata();
    const original = await db.image.findUniqueOrThrow({ where: { id: imageId }, select: { width: true, height: true } });
    const all = await serverPredict(webBytes, 0);
    expect(all.length).toBeGreaterThan(0);
    const threshold = thresholdWithGap(all.map((r) => r.score));
    const server = await serverPredict(webBytes, threshold);
    expect(server.length).toBeGreaterThan(0);
    // Server boxes are in the web image's pixels; the editor's are the original's.
    return { threshold, server, scale: [original.width / web.width!, original.height / web.height!] as [number, number] };
  }

  async function parity(imageId: string, backend: 'webgl' | 'wasm', ref: Awaited<ReturnType<typeof serverReference>>, opts: { again: boolean; shot: string }) {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    try {
      await openEditor(page, project.id, imageId);
      const shown = await preannotate(page, { backend, threshold: ref.threshold });
      expect(shown.backend).toBe(backend);
      expect(shown.text).toMatch(new RegExp(`Ran on ${backend}.*model loaded in [\\d.]+ m?s.*inference [\\d.]+ m?s`));
      expectParity(shown.detections, ref.server, ref.scale);
      if (opts.again) {
        // The second time the model comes from this tab's cache.
        const again = await preannotate(page, { backend, threshold: ref.threshold });
        expect(again.text).toMatch(/model cached in this tab/);
        expectParity(again.detections, ref.server, ref.scale);
      }
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, opts.shot) });
      expect(requests.filter((u) => !u.startsWith(base) && !u.startsWith('data:') && !u.startsWith('blob:'))).toEqual([]);
      expect(requests.some((u) => u.includes(`/api/runs/${run.id}/checkpoints/${best.id}/model.json`))).toBe(true);
      if (backend === 'wasm') expect(requests.some((u) => /\/tfjs-wasm\/tfjs-backend-wasm[\w-]*\.wasm$/.test(u))).toBe(true);
    } finally {
      await context.close();
    }
  }

  it('detects exactly what POST /api/predict detects, on WebGL and on WebAssembly, loading nothing from elsewhere', async () => {
    const ref = await serverReference(imageIds[0]!);
    expect(ref.scale).toEqual([1, 1]);
    for (const backend of ['webgl', 'wasm'] as const) await parity(imageIds[0]!, backend, ref, { again: true, shot: `preannotate-${backend}.png` });
  }, 300_000);

  it('maps detections on the web-size copy of a big photo back to the original pixels', async () => {
    // Larger than the 2048 px web copy, so the model sees a smaller image than the editor shows.
    const scene = await renderScene({ width: 2400, height: 1800, classCount: 2, seed: 4242, minInstances: 2, maxInstances: 3 });
    const form = new FormData();
    form.append('files', new Blob([new Uint8Array(scene.png)]), `big-${Date.now()}.png`);
    const uploaded = (await (await fetch(`${base}/api/projects/${project.id}/images`, { method: 'POST', body: form })).json()) as UploadResultDto;
    const imageId = uploaded.images[0]!.id;
    const ref = await serverReference(imageId);
    expect(ref.scale[0]).toBeCloseTo(2400 / 2048, 6);
    expect(ref.scale[1]).toBeCloseTo(1800 / 1536, 6);
    await parity(imageId, 'wasm', ref, { again: false, shot: 'preannotate-big.png' });
  }, 300_000);

  it('adds model-made regions in the editor that autosave stores with source "model"', async () => {
    const imageId = imageIds[1]!;
    const before = await annotations(imageId);
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    try {
      await openEditor(page, project.id, imageId);
      // The model's own score threshold still applies first; this keeps everything it reports.
      const shown = await preannotate(page, { backend: 'auto', threshold: 0 });
      expect(shown.backend).toBe('webgl');
      expect(shown.added).toBeGreaterThan(0);
      expect(await page.locator('ul[aria-label="Regions"] li').count()).toBe(before.annotations.length + shown.added);
      const after = await serverUntil(imageId, (a) => a.annotations.filter((x) => x.source === 'model').length === shown.added, `${shown.added} model-made annotations saved`);
      await page.waitForSelector('[aria-label="Save state"][data-save-state="saved"]');
      expect(after.version).toBeGreaterThan(before.version);
      const made = after.annotations.filter((a) => a.source === 'model');
      for (const a of made) {
        expect(project.classes.map((c) => c.name)).toContain(a.className);
        for (const ring of a.polygons) {
          ring.forEach((v, i) => {
            expect(v).toBeGreaterThanOrEqual(0);
            expect(v).toBeLessThanOrEqual(i % 2 === 0 ? after.width : after.height);
          });
        }
      }
      // The annotator's own regions are untouched.
      expect(after.annotations.filter((a) => a.source !== 'model').map((a) => a.id).sort()).toEqual(before.annotations.map((a) => a.id).sort());
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'preannotate-editor.png') });
    } finally {
      await page.close();
    }
  }, 180_000);
});

describe('pre-annotation when things go wrong', () => {
  it('falls back to WebAssembly without WebGL, and shows a failed model load without touching the regions', async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    // A browser without WebGL. This Chromium has it even with --disable-gpu (SwiftShader), and
    // --disable-webgl leaves OffscreenCanvas (which tfjs uses) with it, so take it from the page.
    await context.addInitScript(() => {
      for (const proto of [HTMLCanvasElement.prototype, OffscreenCanvas.prototype] as { getContext: (type: string, ...rest: unknown[]) => unknown }[]) {
        const get = proto.getContext;
        proto.getContext = function (this: unknown, type: string, ...rest: unknown[]) {
          return /webgl/i.test(type) ? null : get.call(this, type, ...rest);
        };
      }
    });
    try {
      const imageId = imageIds[2]!;
      const before = await annotations(imageId);
      const page = await context.newPage();
      await openEditor(page, project.id, imageId);
      const regions = page.locator('ul[aria-label="Regions"] li');
      expect(await regions.count()).toBe(before.annotations.length);
      await page.route('**/model.json', (r) => r.fulfill({ status: 503, contentType: 'application/json', body: '{}' }));
      await expect(preannotate(page, { backend: 'auto', threshold: 0 })).rejects.toThrow(/Pre-annotation failed: GET model\.json: HTTP 503/);
      expect(await regions.count()).toBe(before.annotations.length);
      await page.unroute('**/model.json');
      // A failed load is not cached: the next try loads the model.
      const shown = await preannotate(page, { backend: 'auto', threshold: 0 });
      expect(shown.backend).toBe('wasm');
      expect(shown.text).toMatch(/webgl: .*; using wasm/);
      expect(await regions.count()).toBe(before.annotations.length + shown.added);
      // Asking for WebGL outright says why it cannot run.
      await expect(preannotate(page, { backend: 'webgl', threshold: 0 })).rejects.toThrow(/no TensorFlow\.js backend starts in this browser \(webgl: /);
      expect(await regions.count()).toBe(before.annotations.length + shown.added);
    } finally {
      await context.close();
    }
  }, 180_000);

  it('says so when the project has no trained model', async () => {
    const res = await fetch(`${base}/api/projects`, { method: 'POST', headers: json, body: JSON.stringify({ name: `No model ${Date.now()}`, classes: [{ name: 'circle' }] }) });
    const empty = (await res.json()) as ProjectDto;
    const form = new FormData();
    form.append('files', new Blob([new Uint8Array(await sharp({ create: { width: 64, height: 48, channels: 3, background: '#336699' } }).png().toBuffer())]), 'lonely.png');
    const image = ((await (await fetch(`${base}/api/projects/${empty.id}/images`, { method: 'POST', body: form })).json()) as UploadResultDto).images[0]!;
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    try {
      await openEditor(page, empty.id, image.id);
      await page.locator('section[aria-label="Pre-annotate"]').getByText('No completed training run in this project yet').waitFor();
      expect(await page.getByRole('button', { name: 'Pre-annotate this image' }).count()).toBe(0);
    } finally {
      await page.close();
    }
  });
});

describe('GET /api/runs/:runId/model/:file and /checkpoints/:checkpointId/:file', () => {
  const bestUrl = (file: string, runId = run.id) => `${base}/api/runs/${runId}/model/${file}`;
  const ckptUrl = (file: string, checkpointId = best.id, runId = run.id) => `${base}/api/runs/${runId}/checkpoints/${checkpointId}/${file}`;

  it('serves model.json and its weights with validators, to members who may label', async () => {
    const manifestRes = await fetch(ckptUrl('model.json'));
    expect(manifestRes.status).toBe(200);
    expect(manifestRes.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
    const etag = manifestRes.headers.get('etag')!;
    expect(etag).toContain(best.id);
    const manifest = (await manifestRes.json()) as { format: string; classes: string[]; weights: { file: string } };
    expect(manifest.format).toBe('segmenta-maskrcnn');
    expect(manifest.classes).toEqual(['circle', 'square']);
    expect((await fetch(ckptUrl('model.json'), { headers: { 'if-none-match': etag } })).status).toBe(304);

    const row = await db.checkpoint.findUniqueOrThrow({ where: { id: best.id }, select: { path: true } });
    const onDisk = await stat(path.join(env.DATA_DIR, row.path, manifest.weights.file));
    const weights = await fetch(ckptUrl(manifest.weights.file));
    expect(weights.status).toBe(200);
    expect(Number(weights.headers.get('x-segmenta-file-size'))).toBe(onDisk.size);
    expect((await weights.arrayBuffer()).byteLength).toBe(onDisk.size);

    const viaRun = await fetch(bestUrl('model.json'));
    expect(viaRun.status).toBe(200);
    expect(viaRun.headers.get('x-segmenta-checkpoint')).toBe(best.id);
    expect(viaRun.headers.get('cache-control')).toBe('private, no-cache');
    expect(viaRun.headers.get('etag')).toBe(etag);

    // An annotator of the project pre-annotates too: the model runs on their machine.
    const annotator = await signedInUser('annotator');
    await fetch(`${base}/api/projects/${project.id}/members`, { method: 'PUT', headers: json, body: JSON.stringify({ email: annotator.email, role: 'annotator' }) });
    expect((await rawFetch(bestUrl('model.json'), { headers: { cookie: annotator.cookie } })).status).toBe(200);
  });

  it('answers 401 signed out, 404 for foreign or unknown runs, checkpoints and files, and refuses the optimiser state', async () => {
    for (const url of [bestUrl('model.json'), ckptUrl('model.json'), ckptUrl('weights.safetensors')]) {
      const res = await rawFetch(url);
      expect(res.status, url).toBe(401);
      expect(apiErrorSchema.parse(await res.json()).error.code).toBe('unauthorized');
    }
    const outsider = await signedInUser('researcher');
    for (const url of [bestUrl('model.json'), ckptUrl('model.json')]) {
      const res = await rawFetch(url, { headers: { cookie: outsider.cookie } });
      expect(res.status, url).toBe(404);
      expect(apiErrorSchema.parse(await res.json()).error.message).toMatch(/Run .* does not exist/);
    }
    const nobody = '00000000-0000-4000-8000-000000000000';
    const other = await db.trainingRun.create({ data: { projectId: project.id, name: 'no checkpoint', config: {}, status: 'failed' } });
    const expect404 = async (url: string, message: RegExp) => {
      const res = await fetch(url);
      expect(res.status, url).toBe(404);
      expect(apiErrorSchema.parse(await res.json()).error.message, url).toMatch(message);
    };
    await expect404(bestUrl('model.json', nobody), /does not exist/);
    await expect404(bestUrl('model.json', other.id), /has no checkpoint yet/);
    await expect404(ckptUrl('model.json', nobody), /does not exist/);
    await expect404(ckptUrl('model.json', best.id, other.id), /does not exist/); // another run's checkpoint
    await expect404(ckptUrl('events.bin'), /only model\.json and weights\.safetensors are served/);
    await expect404(bestUrl('model.js'), /only model\.json and weights\.safetensors are served/);

    for (const url of [ckptUrl('optimizer.safetensors'), bestUrl('optimizer.safetensors')]) {
      const res = await fetch(url);
      expect(res.status, url).toBe(403);
      expect(apiErrorSchema.parse(await res.json()).error.message).toMatch(/optimiser state/);
    }
    for (const [url, field] of [[bestUrl('model.json', 'not-a-run'), 'runId'], [ckptUrl('.model.json.tmp'), 'file'], [ckptUrl('..%2Fmodel.json'), 'file'], [ckptUrl('model.json', 'nope'), 'checkpointId']] as const) {
      const res = await fetch(url);
      expect(res.status, url).toBe(400);
      expect(apiErrorSchema.parse(await res.json()).error.details.map((d) => d.path), url).toContain(field);
    }
  });
});

/** A new user, signed in through the API: their session cookie. */
async function signedInUser(role: 'researcher' | 'annotator'): Promise<{ email: string; cookie: string }> {
  const email = `preannotate-${role}-${Date.now()}@segmenta.test`;
  const password = `pw-${role}-0123456789`;
  expect((await fetch(`${base}/api/users`, { method: 'POST', headers: json, body: JSON.stringify({ email, password, role }) })).status).toBe(201);
  const res = await rawFetch(`${base}/api/auth/sign-in`, { method: 'POST', headers: json, body: JSON.stringify({ email, password }) });
  expect(res.status).toBe(200);
  return { email, cookie: res.headers.get('set-cookie')!.split(';')[0]! };
}
