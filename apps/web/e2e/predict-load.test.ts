import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import sharp from 'sharp';
import { z } from 'zod';
import { apiErrorSchema, loadServerEnv, type ProjectDto, type RunDto } from '@segmenta/contracts';
import { createDb, type Db } from '@segmenta/db';
import { annotatedProject } from './annotated-project';
import { freePort, startWeb, waitForHttp, type Proc } from './servers';

// POST /api/predict under load and with bad input, against a `tiny` model the suite's worker trains.
const base = inject('baseUrl');
const env = loadServerEnv();
let db: Db;
let project: ProjectDto;
let run: RunDto;
let images: { bytes: ArrayBuffer; width: number; height: number }[] = [];
let strict: Proc | undefined;
let strictBase = '';

const cocoResults = z.array(
  z.object({
    image_id: z.union([z.number(), z.string()]),
    category_id: z.number().int().min(1),
    category_name: z.enum(['circle', 'square']),
    bbox: z.tuple([z.number(), z.number(), z.number().min(0), z.number().min(0)]),
    score: z.number().min(0).max(1),
    segmentation: z.object({ size: z.tuple([z.number(), z.number()]), counts: z.string().min(1) }),
  }),
);

function predict(url: string, bytes: ArrayBuffer | Uint8Array, fields: Record<string, string> = {}): Promise<Response> {
  const form = new FormData();
  form.append('image', new Blob([new Uint8Array(bytes)]), 'photo.png');
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  return fetch(`${url}/api/predict`, { method: 'POST', body: form });
}

beforeAll(async () => {
  db = createDb(env.DATABASE_URL);
  project = await annotatedProject(base, db, 'Predict load');
  const res = await fetch(`${base}/api/projects/${project.id}/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'tiny predict-load', preset: 'tiny', epochs: 1, batchSize: 2, seed: 5 }),
  });
  expect(res.status).toBe(202);
  const { id } = (await res.json()) as { id: string };
  for (const started = Date.now(); Date.now() - started < 150_000; await new Promise((r) => setTimeout(r, 500))) {
    run = (await (await fetch(`${base}/api/runs/${id}`)).json()) as RunDto;
    if (run.status === 'completed' || run.status === 'failed') break;
  }
  expect(run.status).toBe('completed');
  const rows = await db.image.findMany({ where: { projectId: project.id }, orderBy: { id: 'asc' }, take: 2, select: { id: true, width: true, height: true } });
  images = await Promise.all(rows.map(async (r) => ({ bytes: await (await fetch(`${base}/api/images/${r.id}/file?variant=original`)).arrayBuffer(), width: r.width, height: r.height })));
}, 180_000);

afterAll(async () => {
  await strict?.stop();
  await db?.$disconnect();
});

describe('POST /api/predict under load', () => {
  it('answers 20 concurrent requests, each with its own image’s results, while other routes stay responsive', async () => {
    const fields = { runId: run.id, scoreThreshold: '0' };
    // What each image yields alone, to check that no answer under load belongs to another request.
    const expected = [];
    for (const img of images) {
      const res = await predict(base, img.bytes, fields);
      expect(res.status).toBe(200);
      expected.push(cocoResults.parse(await res.json()));
    }
    // With no score threshold the trained model always proposes something, so the comparison has content.
    expect(expected.every((r) => r.length > 0)).toBe(true);

    let finished = 0;
    const requests = Array.from({ length: 20 }, async (_, i) => {
      const res = await predict(base, images[i % 2]!.bytes, fields);
      const body: unknown = await res.json();
      finished++;
      return { i, status: res.status, body };
    });
    // Once the first prediction is back the rest are running or queued; a cheap route must still answer.
    await Promise.race(requests);
    const health = await fetch(`${base}/api/health`);
    const finishedWhenHealthAnswered = finished;
    const answers = await Promise.all(requests);

    expect(health.status).toBe(200);
    expect(finishedWhenHealthAnswered).toBeLessThan(20);
    for (const a of answers) {
      expect(a.status, JSON.stringify(a.body)).toBe(200);
      const results = cocoResults.parse(a.body);
      const img = images[a.i % 2]!;
      for (const r of results) expect(r.segmentation.size).toEqual([img.height, img.width]);
      expect(results).toEqual(expected[a.i % 2]);
    }
  });

  it('predicts a large image at its own size (the model input is resized) and refuses one over the pixel limit', async () => {
    const big = await sharp({ create: { width: 3000, height: 2000, channels: 3, background: { r: 40, g: 90, b: 160 } } })
      .composite([{ input: await sharp(images[0]!.bytes).resize(1500, 1000).toBuffer(), left: 700, top: 500 }])
      .png()
      .toBuffer();
    const ok = await predict(base, big, { runId: run.id, scoreThreshold: '0.3' });
    expect(ok.status).toBe(200);
    for (const r of cocoResults.parse(await ok.json())) expect(r.segmentation.size).toEqual([2000, 3000]);

    const huge = await sharp({ create: { width: 7000, height: 6000, channels: 3, background: { r: 0, g: 0, b: 0 } } }).png().toBuffer();
    const refused = await predict(base, huge, { runId: run.id });
    expect(refused.status).toBe(400);
    const err = apiErrorSchema.parse(await refused.json()).error;
    expect(err.details[0]!.path).toBe('image');
    expect(err.message).toMatch(/7000×6000 = 42000000 pixels; the limit is 40000000/);
  });

  it('names the problem for an unknown run, a run without a checkpoint, corrupt and empty uploads', async () => {
    const unknown = await predict(base, images[0]!.bytes, { runId: '00000000-0000-4000-8000-000000000000' });
    expect(unknown.status).toBe(404);
    expect(apiErrorSchema.parse(await unknown.json()).error.message).toBe('Run 00000000-0000-4000-8000-000000000000 does not exist');

    // A queued run (no job behind it) has no checkpoint yet.
    const queued = await db.trainingRun.create({ data: { projectId: project.id, name: 'never started', config: {} } });
    const none = await predict(base, images[0]!.bytes, { runId: queued.id });
    expect(none.status).toBe(409);
    expect(apiErrorSchema.parse(await none.json()).error.message).toMatch(new RegExp(`^Run ${queued.id} has no checkpoint yet: it is queued`));

    const png = new Uint8Array(images[0]!.bytes);
    const corrupt = await predict(base, png.subarray(0, Math.floor(png.length / 2)), { runId: run.id });
    expect(corrupt.status).toBe(400);
    const corruptErr = apiErrorSchema.parse(await corrupt.json()).error;
    expect(corruptErr.details[0]!.path).toBe('image');
    expect(corruptErr.message).toMatch(/corrupt or truncated/);

    const empty = await predict(base, new Uint8Array(0), { runId: run.id });
    expect(empty.status).toBe(400);
    expect(apiErrorSchema.parse(await empty.json()).error.message).toMatch(/the image file is empty/);
  });

  it('predicts with the best checkpoint so far of a run that is still training, and says so', async () => {
    const best = await db.checkpoint.findFirstOrThrow({ where: { runId: run.id, isBest: true } });
    // A run row marked running whose first epoch's checkpoint is the trained one: what the API sees mid-training.
    const running = await db.trainingRun.create({ data: { projectId: project.id, name: 'still training', config: {}, status: 'running', epochsDone: 1 } });
    await db.checkpoint.create({ data: { runId: running.id, epoch: 1, path: best.path, isBest: true } });
    const res = await predict(base, images[0]!.bytes, { runId: running.id });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-segmenta-run-status')).toBe('running');
    expect(res.headers.get('x-segmenta-notice')).toBe(`Run ${running.id} is still training; predicted with its best checkpoint so far (epoch 1)`);
    cocoResults.parse(await res.json());
  });
});

describe('with a full prediction queue', () => {
  beforeAll(async () => {
    const port = await freePort();
    strict = startWeb(port, { INFERENCE_CONCURRENCY: '1', INFERENCE_QUEUE_MAX: '0' });
    strictBase = `http://127.0.0.1:${port}`;
    await waitForHttp(`${strictBase}/api/health`, strict);
  });

  it('answers 503 with Retry-After to requests beyond the running one', async () => {
    const big = await sharp({ create: { width: 2400, height: 1800, channels: 3, background: { r: 200, g: 30, b: 30 } } }).png().toBuffer();
    // Nothing may wait, and one multi-megapixel prediction takes far longer than parsing four uploads.
    const answers = await Promise.all(Array.from({ length: 5 }, () => predict(strictBase, big, { runId: run.id })));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(1);
    const busy = answers.filter((a) => a.status === 503);
    expect(busy.length).toBeGreaterThanOrEqual(1);
    for (const res of busy) {
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      const err = apiErrorSchema.parse(await res.json()).error;
      expect(err.code).toBe('service_unavailable');
      expect(err.message).toMatch(/^The prediction queue is full/);
    }
    expect(statuses.every((s) => s === 200 || s === 503)).toBe(true);
  });
});
