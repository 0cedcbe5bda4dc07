import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { apiErrorSchema, loadServerEnv, type ProjectDto, type RunDto } from '@segmenta/contracts';
import { createDb, type Db } from '@segmenta/db';
import { annotatedProject } from './annotated-project';

// Launch through the API; the suite's real worker process trains the `tiny` preset for real.
const base = inject('baseUrl');
const env = loadServerEnv();
let db: Db;
let project: ProjectDto;

const post = (p: string, body: unknown) => fetch(`${base}${p}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function waitForRun(id: string, done: (r: RunDto) => boolean, timeoutMs = 150_000): Promise<RunDto> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    const run = (await (await fetch(`${base}/api/runs/${id}`)).json()) as RunDto;
    if (done(run)) return run;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`run ${id} did not reach the expected state in ${timeoutMs} ms`);
}

beforeAll(async () => {
  db = createDb(env.DATABASE_URL);
  project = await annotatedProject(base, db, 'Training');
});

afterAll(async () => {
  await db.$disconnect();
});

describe('training runs', () => {
  it('refuses bad configs at launch with the field path', async () => {
    const cases: [unknown, string][] = [
      [{ name: 'x', epochs: 0 }, 'epochs'],
      [{ name: 'x', optimizer: { type: 'adam', learningRate: -1 } }, 'optimizer.learningRate'],
      [{ name: 'x', backbone: 'vgg16' }, 'backbone'],
      [{ name: 'x', preset: 'tiny', batchSize: 9 }, 'batchSize'],
    ];
    for (const [body, path] of cases) {
      const res = await post(`/api/projects/${project.id}/runs`, body);
      expect(res.status).toBe(400);
      expect(apiErrorSchema.parse(await res.json()).error.details.map((d) => d.path)).toContain(path);
    }
  });

  it('trains 2 epochs on a worker: metric rows per epoch and split, best checkpoint on disk', async () => {
    const res = await post(`/api/projects/${project.id}/runs`, { name: 'tiny e2e', preset: 'tiny', epochs: 2, batchSize: 2, optimizer: { type: 'adam', learningRate: 1e-3 }, seed: 3 });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    const run = await waitForRun(id, (r) => r.status === 'completed' || r.status === 'failed');
    expect(run.error).toBeNull();
    expect(run.status).toBe('completed');
    expect(run.backend).toBe('wasm');
    expect(run.datasetSnapshot!.splits.train).toHaveLength(4);
    expect(run.metrics.map((m) => `${m.epoch}/${m.split}`).sort()).toEqual(['1/test', '1/train', '1/val', '2/test', '2/train', '2/val']);
    for (const m of run.metrics) {
      for (const v of [m.loss, m.lossClassifier, m.lossBoxReg, m.lossMask, m.lossObjectness, m.lossRpnBoxReg]) expect(Number.isFinite(v)).toBe(true);
      if (m.split === 'train') expect(m.mapSegm).toBeNull();
      else expect(m.mapSegm).toBeGreaterThanOrEqual(0);
    }
    const best = run.checkpoints.filter((c) => c.isBest);
    expect(best).toHaveLength(1);
    const row = await db.checkpoint.findUniqueOrThrow({ where: { id: best[0]!.id } });
    expect(existsSync(path.join(env.DATA_DIR, row.path, 'model.json'))).toBe(true);
    expect(existsSync(path.join(env.DATA_DIR, row.path, 'optimizer.safetensors'))).toBe(true);
    expect(await db.stepMetric.count({ where: { runId: id } })).toBe(4);

    // The try-it API predicts with this run's best checkpoint.
    const image = await db.image.findFirstOrThrow({ where: { projectId: project.id }, select: { id: true, width: true, height: true } });
    const bytes = await (await fetch(`${base}/api/images/${image.id}/file?variant=original`)).arrayBuffer();
    const form = () => {
      const f = new FormData();
      f.append('image', new Blob([bytes]), 'photo.png');
      f.append('runId', id);
      f.append('scoreThreshold', '0');
      return f;
    };
    const predicted = await fetch(`${base}/api/predict`, { method: 'POST', body: form() });
    expect(predicted.status).toBe(200);
    expect(predicted.headers.get('x-segmenta-run')).toBe(id);
    const results = (await predicted.json()) as { category_name: string; bbox: number[]; score: number; segmentation: { size: number[] } }[];
    for (const r of results) {
      expect(['circle', 'square']).toContain(r.category_name);
      expect(r.segmentation.size).toEqual([image.height, image.width]);
      expect(r.bbox[0]! + r.bbox[2]!).toBeLessThanOrEqual(image.width + 1);
    }
    const overlay = await fetch(`${base}/api/predict?format=png`, { method: 'POST', body: form() });
    expect(overlay.headers.get('content-type')).toBe('image/png');
    const notImage = new FormData();
    notImage.append('image', new Blob(['hello']), 'x.png');
    const bad = await fetch(`${base}/api/predict`, { method: 'POST', body: notImage });
    expect(bad.status).toBe(400);
    expect(apiErrorSchema.parse(await bad.json()).error.details[0]!.path).toBe('image');

    // An inference job over the val split stores Prediction rows, readable through the API.
    const job = await post(`/api/runs/${id}/predictions`, { split: 'val' });
    expect(job.status).toBe(202);
    const valImage = run.datasetSnapshot!.splits.val[0]!;
    let listed: { predictions: { imageId: string; className: string | null; maskRle: { size: number[] } }[] } = { predictions: [] };
    for (const started = Date.now(); Date.now() - started < 60_000 && listed.predictions.length === 0; ) {
      await new Promise((r) => setTimeout(r, 300));
      listed = await (await fetch(`${base}/api/runs/${id}/predictions?imageId=${valImage}`)).json();
    }
    expect(listed.predictions.length).toBeGreaterThan(0);
    expect(listed.predictions.every((p) => p.imageId === valImage && ['circle', 'square'].includes(p.className!))).toBe(true);
    const again = await post(`/api/runs/${id}/predictions`, { split: 'val', imageIds: [valImage] });
    expect(again.status).toBe(400);
  });

  it('cancels a running run within a step and can resume it from its checkpoint', async () => {
    const { id } = (await (await post(`/api/projects/${project.id}/runs`, { name: 'long', preset: 'tiny', epochs: 200, batchSize: 1, seed: 4 })).json()) as { id: string };
    await waitForRun(id, (r) => r.epochsDone >= 1);
    expect((await post(`/api/runs/${id}/cancel`, {})).status).toBe(202);
    const cancelled = await waitForRun(id, (r) => r.status === 'cancelled', 60_000);
    expect(cancelled.checkpoints.length).toBeGreaterThanOrEqual(1);
    const again = await post(`/api/runs/${id}/cancel`, {});
    expect(again.status).toBe(409);
    const resumed = await post(`/api/runs/${id}/resume`, {});
    expect(resumed.status).toBe(202);
    const running = await waitForRun(id, (r) => r.status === 'running' && r.epochsDone > cancelled.epochsDone, 90_000);
    // The resumed run continues the history: no epoch appears twice for a split.
    const keys = running.metrics.map((m) => `${m.epoch}/${m.split}`);
    expect(new Set(keys).size).toBe(keys.length);
    await post(`/api/runs/${id}/cancel`, {});
    await waitForRun(id, (r) => r.status === 'cancelled', 60_000);
  });
});
