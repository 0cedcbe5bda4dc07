// Try-it latency and batch inference throughput (issue #10), `cpu-small` preset run at a 512 px short
// side (transform minSize 512, maxSize 768) on 512×683 images, with randomly initialised weights (seed 0:
// timing only; the random classifier keeps many low-score boxes, so the mask head and RLE do real work).
//  1. p50/p95 of POST /api/predict (JSON answer), 20 sequential requests after 2 warm-ups, measured by
//     the client on loopback against `next start` (the inference pool's worker thread does the work);
//  2. /api/health latency while 8 predictions are in flight (does the server stay responsive?);
//  3. torchvision 0.14 on the same architecture and the same weights (bench/tv_try_latency.py, Debian's
//     /usr/bin/python3), 1 and 2 threads, same image, PNG decode → model → binarised masks;
//  4. a batch inference job (POST /api/runs/:id/predictions) on the real worker process: images/s from
//     BullMQ's processedOn → finishedOn, after a 1-image job has loaded the model.
// Needs the built web app (`npx turbo run build --filter=@segmenta/web`), PostgreSQL and Redis.
// Run from the repo root: npx tsx bench/try-latency.ts [--reps 20] [--batch 20]
import { execFileSync } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { createDb } from '@segmenta/db';
import { deployMigrations, recreateDatabase } from '@segmenta/db/migrate';
import { renderScene } from '@segmenta/imaging';
import { MaskRCNN, PRESETS, saveCheckpoint, selectBackend } from '@segmenta/maskrcnn';
import { freePort, installTestAuth, startWeb, startWorker, waitForHttp } from '../apps/web/e2e/servers';

installTestAuth();

const { values } = parseArgs({ options: { reps: { type: 'string', default: '20' }, batch: { type: 'string', default: '20' } } });
const reps = Number(values.reps);
const batch = Number(values.batch);
const DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/segmenta_bench';
const DATA_DIR = '/tmp/segmenta-bench-data';
const REDIS_URL = 'redis://127.0.0.1:6379/2';
const QUEUE_PREFIX = 'segmenta-bench';
const env = { DATABASE_URL, DATA_DIR, REDIS_URL, QUEUE_PREFIX };
const [H, W] = [512, 683];

await rm(DATA_DIR, { recursive: true, force: true });
await recreateDatabase(DATABASE_URL);
await deployMigrations(DATABASE_URL);

const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.max(0, Math.ceil((p / 100) * xs.length) - 1)]!;
const ms = (v: number) => `${Math.round(v)} ms`;
const json = (res: Response) => res.json() as Promise<Record<string, unknown>>;
const post = (base: string, p: string, body: unknown) => fetch(`${base}${p}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

const classes = Array.from({ length: PRESETS['cpu-small'].numClasses - 1 }, (_, i) => `class-${i + 1}`);
const scenes = await Promise.all(Array.from({ length: batch + 1 }, (_, i) => renderScene({ width: W, height: H, classCount: 4, seed: 100 + i, minInstances: 2, maxInstances: 5 })));
const probe = Buffer.from(scenes[0]!.png);
const probePath = path.join(DATA_DIR, 'try-512x683.png');
await mkdir(DATA_DIR, { recursive: true });
await writeFile(probePath, probe);

const port = await freePort();
const procs = [startWorker(env), startWeb(port, env)];
const base = `http://127.0.0.1:${port}`;
const db = createDb(DATABASE_URL);
const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
const inference = new Queue('inference', { connection: redis, prefix: QUEUE_PREFIX });
try {
  await waitForHttp(`${base}/api/health`, procs[1]!, (s) => s === 200, 120_000);
  const created = await post(base, '/api/projects', { name: 'try-latency bench', classes: classes.map((name) => ({ name })) });
  if (created.status !== 201) throw new Error(`creating the project answered ${created.status}: ${await created.text()}`);
  const project = (await json(created)) as { id: string };

  // A "completed" run whose best checkpoint is a randomly initialised cpu-small model at 512 px.
  await selectBackend('wasm');
  const cfg = { ...PRESETS['cpu-small'], transform: { ...PRESETS['cpu-small'].transform, minSize: 512, maxSize: 768 } };
  const run = await db.trainingRun.create({ data: { projectId: project.id, name: 'cpu-small random 512', config: { preset: 'cpu-small' }, status: 'completed', epochsDone: 1, backend: 'wasm' } });
  const rel = path.join('checkpoints', run.id, 'epoch-001');
  await saveCheckpoint(path.join(DATA_DIR, rel), MaskRCNN.init(cfg, 0), { classes });
  await db.checkpoint.create({ data: { runId: run.id, epoch: 1, path: rel, isBest: true } });

  // 4 (run first: it needs the least time with the server up). Batch inference job on the worker.
  const ids: string[] = [];
  for (const [i, s] of scenes.slice(1).entries()) {
    const form = new FormData();
    form.append('files', new Blob([new Uint8Array(s.png)]), `scene-${i}.png`);
    const uploaded = (await json(await fetch(`${base}/api/projects/${project.id}/images`, { method: 'POST', body: form }))) as { images: { id: string }[] };
    ids.push(...uploaded.images.map((u) => u.id));
  }
  if (ids.length !== batch) throw new Error(`uploaded ${ids.length} of ${batch} images`);
  const job = async (imageIds: string[]) => {
    const res = await json(await post(base, `/api/runs/${run.id}/predictions`, { imageIds }));
    const jobId = String(res.jobId);
    for (;;) {
      const j = await inference.getJob(jobId);
      if (j?.finishedOn && j.processedOn) {
        if (j.failedReason) throw new Error(`inference job failed: ${j.failedReason}`);
        return { s: (j.finishedOn - j.processedOn) / 1000, result: j.returnvalue as { images: number; predictions: number } };
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  const cold = await job(ids.slice(0, 1));
  const warm = await job(ids);

  const cpu = os.cpus();
  console.log(`machine: ${cpu[0]?.model} ×${cpu.length}, node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log(`model: cpu-small, random init (seed 0), minSize 512 / maxSize 768, images ${H}×${W} PNG, API default scoreThreshold 0.05`);
  console.log(`batch inference job on the worker: ${warm.result.images} images in ${warm.s.toFixed(1)} s = ${(warm.result.images / warm.s).toFixed(2)} images/s (${warm.result.predictions} predictions stored); the 1-image job before it, which loaded the model: ${cold.s.toFixed(1)} s`);

  const predictOnce = async () => {
    const form = new FormData();
    form.append('image', new Blob([new Uint8Array(probe)]), 'probe.png');
    form.append('runId', run.id);
    const t = performance.now();
    const res = await fetch(`${base}/api/predict`, { method: 'POST', body: form });
    const body = (await res.json()) as unknown[];
    if (res.status !== 200) throw new Error(`predict answered ${res.status}: ${JSON.stringify(body)}`);
    return { ms: performance.now() - t, detections: body.length };
  };

  // 1. Sequential latency.
  for (let i = 0; i < 2; i++) await predictOnce();
  const lat: number[] = [];
  let detections = 0;
  for (let i = 0; i < reps; i++) {
    const r = await predictOnce();
    lat.push(r.ms);
    detections = r.detections;
  }

  console.log(`load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log(`POST /api/predict (ours, wasm, 1 inference thread), ${reps} sequential after 2 warm-ups: p50 ${ms(pct(lat, 50))}, p95 ${ms(pct(lat, 95))}, min ${ms(Math.min(...lat))}, max ${ms(Math.max(...lat))}; ${detections} detections`);

  // 2. Health while 8 predictions are in flight (one runs, seven wait in the pool's queue).
  let inFlight = 8;
  const load = Array.from({ length: 8 }, () => predictOnce().finally(() => inFlight--));
  const health: number[] = [];
  while (inFlight > 0) {
    const t = performance.now();
    const res = await fetch(`${base}/api/health`);
    await res.arrayBuffer();
    if (inFlight > 0) health.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, 50));
  }
  await Promise.all(load);
  console.log(`GET /api/health while 8 predictions were in flight: ${health.length} answered, p50 ${ms(pct(health, 50))}, max ${ms(Math.max(...health))}`);

  // 3. torchvision, same weights and image.
  for (const threads of [1, 2]) {
    const out = execFileSync('/usr/bin/python3', [path.join(import.meta.dirname, 'tv_try_latency.py'), '--ckpt', path.join(DATA_DIR, rel), '--image', probePath, '--reps', String(reps), '--threads', String(threads)], { encoding: 'utf8' });
    const t = JSON.parse(out.trim().split('\n').pop()!) as { threads: number; torch: string; detections: number; latency_ms: number[] };
    console.log(`torchvision (torch ${t.torch}) ${t.threads} thread(s), same weights, in-process, ${t.latency_ms.length} after 2 warm-ups: p50 ${ms(pct(t.latency_ms, 50))}, p95 ${ms(pct(t.latency_ms, 95))}; ${t.detections} detections`);
  }

} finally {
  await inference.close();
  redis.disconnect();
  await db.$disconnect();
  await Promise.all(procs.map((p) => p.stop()));
}
