import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { apiErrorSchema, loadServerEnv, type ProjectDto, type ResumeRunDto, type RunDto, type RunLogsDto } from '@segmenta/contracts';
import { createDb, type Db } from '@segmenta/db';
import { annotatedProject } from './annotated-project';
import { SCREENSHOT_DIR, useChromium } from './browser';

// Launch through the API; the suite's real worker process trains the `tiny` preset for real.
const base = inject('baseUrl');
const env = loadServerEnv();
const chromium = useChromium();
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

  it('cancels a queued run at once and a running one within a step; resumes from its checkpoint; deletes the cancelled', async () => {
    const { id } = (await (await post(`/api/projects/${project.id}/runs`, { name: 'long', preset: 'tiny', epochs: 200, batchSize: 1, seed: 4 })).json()) as { id: string };
    await waitForRun(id, (r) => r.epochsDone >= 1);
    // The suite's one worker is busy with `long`: a second run waits in the queue.
    const { id: queuedId } = (await (await post(`/api/projects/${project.id}/runs`, { name: 'waiting', preset: 'tiny', epochs: 1, batchSize: 1 })).json()) as { id: string };
    const queuedCancel = await post(`/api/runs/${queuedId}/cancel`, {});
    expect(queuedCancel.status).toBe(202);
    expect(await queuedCancel.json()).toMatchObject({ status: 'cancelled', error: null, finishedAt: expect.any(String) });
    expect((await fetch(`${base}/api/runs/${queuedId}`, { method: 'DELETE' })).status).toBe(204);

    const cancelRes = await post(`/api/runs/${id}/cancel`, {});
    expect(cancelRes.status).toBe(202);
    const cancelled = (await cancelRes.json()) as RunDto;
    expect([cancelled.status, cancelled.error, cancelled.finishedAt !== null]).toEqual(['cancelled', null, true]);
    expect(cancelled.checkpoints.length).toBeGreaterThanOrEqual(1);
    const again = await post(`/api/runs/${id}/cancel`, {});
    expect(again.status).toBe(409);
    expect(apiErrorSchema.parse(await again.json()).error.message).toBe(`Run ${id} is cancelled; it cannot be cancelled: only queued or running runs can`);
    const resumed = await post(`/api/runs/${id}/resume`, {});
    expect(resumed.status).toBe(202);
    const answer = (await resumed.json()) as ResumeRunDto;
    const fromEpoch = Math.max(...cancelled.checkpoints.map((c) => c.epoch));
    expect(answer.status).toBe('queued');
    expect(answer.resume).toEqual({ fromEpoch, message: `Resumed: continues from the checkpoint of epoch ${fromEpoch}` });
    const running = await waitForRun(id, (r) => r.status === 'running' && r.epochsDone > fromEpoch, 90_000);
    // The resumed run continues the history: no epoch appears twice for a split.
    const keys = running.metrics.map((m) => `${m.epoch}/${m.split}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect((await post(`/api/runs/${id}/cancel`, {})).status).toBe(202);
    expect((await fetch(`${base}/api/runs/${id}`, { method: 'DELETE' })).status).toBe(204);
  });

  it('ends a run whose initial weights cannot load as failed, shows why, and resumes it from scratch', async () => {
    const weightsPath = path.join(env.DATA_DIR, 'no-such-weights');
    const { id } = (await (await post(`/api/projects/${project.id}/runs`, { name: 'bad weights', preset: 'tiny', epochs: 1, batchSize: 1, init: { kind: 'torchvision', weightsPath } })).json()) as { id: string };
    const failed = await waitForRun(id, (r) => r.status !== 'queued' && r.status !== 'running', 60_000);
    expect(failed.status).toBe('failed');
    expect(failed.error).toBe(`init: cannot load initial weights from ${weightsPath}: ${weightsPath} is not a Segmenta model directory: model.json is missing`);
    expect(failed.finishedAt).not.toBeNull();

    const page = await chromium().newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${base}/runs/${id}`);
    await expect(page.getByTestId('run-status').textContent()).resolves.toBe('failed');
    await page.getByRole('alert').filter({ hasText: failed.error! }).waitFor();
    await page.getByRole('log', { name: 'Run log' }).getByText(`Failed: ${failed.error}`).waitFor();
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.getByRole('status').getByText('Resumed: there is no checkpoint yet, so the run starts over').waitFor();
    // It fails the same way again (nothing changed), and the page follows it there.
    await page.getByTestId('run-status').getByText('failed').waitFor({ timeout: 60_000 });
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'run-failed-initial-weights.png'), fullPage: true });
    await page.close();
    const lines = ((await (await fetch(`${base}/api/runs/${id}/logs?limit=1000`)).json()) as RunLogsDto).lines.map((l) => l.message);
    expect(lines.filter((l) => l === `Failed: ${failed.error}`)).toHaveLength(2);
    expect(lines).toContain('Resumed: there is no checkpoint yet, so the run starts over');
    expect((await fetch(`${base}/api/runs/${id}`, { method: 'DELETE' })).status).toBe(204);
  });
});
