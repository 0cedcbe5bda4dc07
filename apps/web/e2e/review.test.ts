import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { bboxToRle, decodeRle, instanceToRle, type Ring } from '@segmenta/coco';
import { apiErrorSchema, loadServerEnv, QUEUES, type ImageAnnotationsDto, type PredictionDto, type ProjectDto, type ReviewDto, type RunDto, type UploadResultDto } from '@segmenta/contracts';
import { createDb, type Db } from '@segmenta/db';
import { renderScene } from '@segmenta/imaging';
import { annotatedProject } from './annotated-project';
import { SCREENSHOT_DIR, useChromium } from './browser';
import { openEditor, serverUntil, spot } from './editor-page';

// A tiny model trained in the test predicts its own project; the review statistics are checked
// against a pixel-by-pixel recount, and accepting predictions is followed into the annotation API.
const base = inject('baseUrl');
const env = loadServerEnv();
const chromium = useChromium();
let db: Db;
let redis: Redis;
let inference: Queue;
let project: ProjectDto;
let runId: string;
/** Ids of the box-mask predictions added after inference (see beforeAll). */
const fixtures: string[] = [];
const fixtureImages: string[] = [];

const post = (p: string, body: unknown) => fetch(`${base}${p}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const getJson = async <T>(p: string): Promise<T> => {
  const res = await fetch(`${base}${p}`);
  if (!res.ok) throw new Error(`${p}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
};

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  for (const started = Date.now(); Date.now() - started < timeoutMs; ) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${what} did not happen in ${timeoutMs} ms`);
}

/** Queues an inference job through the API and waits until the worker has finished it. */
async function predict(body: unknown): Promise<void> {
  const res = await post(`/api/runs/${runId}/predictions`, body);
  expect(res.status).toBe(202);
  const { jobId } = (await res.json()) as { jobId: string };
  await waitFor(`inference job ${jobId}`, async () => {
    const state = await (await inference.getJob(jobId))?.getState();
    if (state === 'failed') throw new Error(`inference job ${jobId} failed: ${(await inference.getJob(jobId))?.failedReason}`);
    return state === 'completed' ? true : undefined;
  }, 120_000);
}

async function allPredictions(): Promise<PredictionDto[]> {
  const out: PredictionDto[] = [];
  let cursor: string | null = null;
  do {
    const page: { predictions: PredictionDto[]; nextCursor: string | null } = await getJson(`/api/runs/${runId}/predictions?limit=1000${cursor ? `&cursor=${cursor}` : ''}`);
    out.push(...page.predictions);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

/** Independent recount: pixel loops and a plain greedy match, class by class. */
function recount(gts: { className: string; mask: Uint8Array }[], dts: { className: string; score: number; mask: Uint8Array }[]) {
  const iou = (a: Uint8Array, b: Uint8Array) => {
    let i = 0, u = 0;
    for (let k = 0; k < a.length; k++) {
      if (a[k] && b[k]) i++;
      if (a[k] || b[k]) u++;
    }
    return u ? i / u : 0;
  };
  const taken = new Set<number>();
  let tp = 0;
  for (const d of [...dts].sort((a, b) => b.score - a.score)) {
    let best = -1, bestIou = 0.5;
    gts.forEach((g, j) => {
      if (taken.has(j) || g.className !== d.className) return;
      const v = iou(d.mask, g.mask);
      if (v >= bestIou && (best < 0 || v > bestIou)) [best, bestIou] = [j, v];
    });
    if (best >= 0) {
      taken.add(best);
      tp++;
    }
  }
  return { tp, fp: dts.length - tp, fn: gts.length - tp };
}

beforeAll(async () => {
  db = createDb(env.DATABASE_URL);
  redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
  inference = new Queue(QUEUES.inference, { connection: redis, prefix: env.QUEUE_PREFIX });
  project = await annotatedProject(base, db, 'Review');
  const res = await post(`/api/projects/${project.id}/runs`, { name: 'review tiny', preset: 'tiny', epochs: 2, batchSize: 2, optimizer: { type: 'adam', learningRate: 1e-3 }, seed: 5 });
  runId = ((await res.json()) as { id: string }).id;
  const run = await waitFor('training', async () => {
    const r = await getJson<RunDto>(`/api/runs/${runId}`);
    return r.status === 'completed' || r.status === 'failed' ? r : undefined;
  }, 240_000);
  expect(run.error).toBeNull();
  await predict({});
  // Two predictions with solid box masks on images the model predicted: what the accept tests take,
  // because a model trained for two epochs makes masks of any size, specks included, run to run.
  const predicted = [...new Set((await allPredictions()).map((p) => p.imageId))];
  for (const [k, imageId] of predicted.slice(0, 2).entries()) {
    const image = await db.image.findUniqueOrThrow({ where: { id: imageId }, select: { width: true, height: true } });
    const box: [number, number, number, number] = [10 + k * 5, 12, Math.round(image.width / 2), Math.round(image.height / 2)];
    const row = await db.prediction.create({
      data: { runId, imageId, labelClassId: project.classes[0]!.id, classIndex: 1, score: 0.97 - k * 0.01, bboxX: box[0], bboxY: box[1], bboxW: box[2], bboxH: box[3], maskRle: { ...bboxToRle(box, image.height, image.width) } },
    });
    fixtures.push(row.id);
    fixtureImages.push(imageId);
  }
}, 400_000);

afterAll(async () => {
  await inference?.close();
  redis?.disconnect();
  await db?.$disconnect();
});

describe('review API', () => {
  it('counts TP/FP/missed per image and class as a pixel recount does, at two thresholds', async () => {
    const predictions = await allPredictions();
    expect(predictions.length).toBeGreaterThan(0);
    const scores = predictions.map((p) => p.score).sort((a, b) => a - b);
    for (const threshold of [0, Math.round(scores[Math.floor(scores.length / 2)]! * 100) / 100]) {
      const review = await getJson<ReviewDto>(`/api/runs/${runId}/review?scoreThreshold=${threshold}`);
      expect(review.images.map((i) => i.imageId).sort()).toEqual([...new Set(predictions.map((p) => p.imageId))].sort());
      const gtCount = new Map<string, number>();
      const totals = new Map(project.classes.map((c) => [c.name, { tp: 0, fp: 0, fn: 0 }]));
      for (const row of review.images) {
        const anns = await db.annotation.findMany({ where: { imageId: row.imageId, source: { not: 'model' } }, include: { labelClass: true } });
        for (const a of anns) gtCount.set(a.labelClassId, (gtCount.get(a.labelClassId) ?? 0) + 1);
        const gts = anns.map((a) => ({ className: a.labelClass.name, mask: decodeRle(instanceToRle(a.polygons as Ring[], row.height, row.width)) }));
        const dts = predictions.filter((p) => p.imageId === row.imageId && p.score >= threshold && p.className).map((p) => ({ className: p.className!, score: p.score, mask: decodeRle(p.maskRle) }));
        const expected = recount(gts, dts);
        expect({ tp: row.tp, fp: row.fp, fn: row.fn }, row.fileName).toEqual(expected);
        expect(row.errorScore).toBeCloseTo(expected.fp + expected.fn === 0 ? 0 : (expected.fp + expected.fn) / (2 * expected.tp + expected.fp + expected.fn), 12);
        for (const c of project.classes) {
          const t = totals.get(c.name)!;
          const own = recount(gts.filter((g) => g.className === c.name), dts.filter((d) => d.className === c.name));
          t.tp += own.tp;
          t.fp += own.fp;
          t.fn += own.fn;
        }
      }
      for (const c of review.perClass) expect({ tp: c.tp, fp: c.fp, fn: c.fn }).toEqual(totals.get(c.className));
      // Every ground truth sits in its class's row, every prediction in its class's column.
      const { labels, matrix } = review.confusion;
      expect(labels).toEqual([...project.classes.map((c) => c.name), 'background']);
      project.classes.forEach((c, k) => {
        expect(matrix[k]!.reduce((a, b) => a + b, 0)).toBe(gtCount.get(c.id) ?? 0);
        expect(matrix.reduce((a, row) => a + row[k]!, 0)).toBe(predictions.filter((p) => p.className === c.name && p.score >= threshold).length);
      });
      // Worst first.
      const errors = review.images.map((i) => i.errorScore!);
      expect(errors).toEqual([...errors].sort((a, b) => b - a));
    }
  });

  it('refuses bad ids with 404 and bad queries with 400 naming the field', async () => {
    const nobody = '00000000-0000-4000-8000-000000000000';
    const some = (await allPredictions())[0]!;
    expect((await fetch(`${base}/api/runs/${nobody}/review`)).status).toBe(404);
    expect((await post(`/api/predictions/${nobody}/accept`, {})).status).toBe(404);
    expect((await fetch(`${base}/api/runs/${runId}/review/images/${nobody}`)).status).toBe(404);
    const cases: [Promise<Response>, string][] = [
      [fetch(`${base}/api/runs/${runId}/review?scoreThreshold=2`), 'scoreThreshold'],
      [fetch(`${base}/api/runs/${runId}/review?classId=nope`), 'classId'],
      [fetch(`${base}/api/runs/${runId}/review?classId=${nobody}`), 'classId'],
      [fetch(`${base}/api/runs/${runId}/review?color=red`), '(root)'], // an unknown parameter
      [fetch(`${base}/api/runs/not-a-run/review`), 'runId'],
      [post(`/api/predictions/not-an-id/accept`, {}), 'predictionId'],
      [post(`/api/predictions/${some.id}/accept`, { tolerance: -1 }), 'tolerance'],
      [post(`/api/runs/${runId}/predictions/accept`, {}), 'scoreThreshold'],
      [post(`/api/runs/${runId}/predictions/accept`, { scoreThreshold: 0.5, imageIds: [nobody] }), 'imageIds[0]'],
    ];
    for (const [pending, field] of cases) {
      const res = await pending;
      expect(res.status, field).toBe(400);
      expect(apiErrorSchema.parse(await res.json()).error.details.map((d) => d.path)).toContain(field);
    }
  });

  it('accepts one prediction, then the rest of its image, into model-made annotations', async () => {
    const predictions = (await allPredictions()).filter((p) => p.className);
    const best = predictions.find((p) => p.id === fixtures[0])!;
    const before = await getJson<ImageAnnotationsDto>(`/api/images/${best.imageId}/annotations`);
    const reviewBefore = await getJson<ReviewDto>(`/api/runs/${runId}/review?scoreThreshold=0`);

    const res = await post(`/api/predictions/${best.id}/accept`, { tolerance: 1 });
    expect(res.status, await res.clone().text()).toBe(201);
    const { annotationId, version } = (await res.json()) as { annotationId: string; version: number };
    expect(version).toBe(before.version + 1);
    const after = await getJson<ImageAnnotationsDto>(`/api/images/${best.imageId}/annotations`);
    expect(after.version).toBe(version);
    const made = after.annotations.find((a) => a.id === annotationId)!;
    expect(made).toMatchObject({ source: 'model', className: best.className });
    expect(made.polygons.length).toBeGreaterThan(0);
    expect((await post(`/api/predictions/${best.id}/accept`, {})).status).toBe(409);
    const detail = await getJson<{ predictions: { id: string; accepted: boolean }[] }>(`/api/runs/${runId}/review/images/${best.imageId}`);
    expect(detail.predictions.find((p) => p.id === best.id)!.accepted).toBe(true);
    // Model-made annotations are not ground truth: the statistics do not move.
    const reviewAfter = await getJson<ReviewDto>(`/api/runs/${runId}/review?scoreThreshold=0`);
    expect(reviewAfter.images.find((i) => i.imageId === best.imageId)).toEqual(reviewBefore.images.find((i) => i.imageId === best.imageId));

    const rest = predictions.filter((p) => p.imageId === best.imageId && p.id !== best.id);
    const bulk = await post(`/api/runs/${runId}/predictions/accept`, { imageIds: [best.imageId], scoreThreshold: 0 });
    expect(bulk.status).toBe(200);
    const out = (await bulk.json()) as { accepted: number; skipped: { predictionId: string; reason: string }[] };
    expect(out.accepted + out.skipped.length).toBe(rest.length + 1);
    expect(out.skipped.map((s) => s.predictionId)).toContain(best.id);
    const final = await getJson<ImageAnnotationsDto>(`/api/images/${best.imageId}/annotations`);
    expect(final.annotations.filter((a) => a.source === 'model')).toHaveLength(1 + out.accepted);
  });

  it('pre-annotates an unlabelled image after predicting it, and leaves labelled ones alone', async () => {
    const scene = await renderScene({ width: 160, height: 120, classCount: 2, seed: 777, minInstances: 2, maxInstances: 3 });
    const form = new FormData();
    form.append('files', new Blob([new Uint8Array(scene.png)]), `fresh-${Date.now()}.png`);
    const uploaded = (await (await fetch(`${base}/api/projects/${project.id}/images`, { method: 'POST', body: form })).json()) as UploadResultDto;
    const fresh = uploaded.images[0]!.id;
    // Not an image holding the accept tests' fixtures: predicting an image again replaces its predictions.
    const labelled = (await db.annotation.findFirstOrThrow({ where: { image: { projectId: project.id }, source: 'manual', imageId: { notIn: fixtureImages } } })).imageId;
    const labelledBefore = await db.annotation.count({ where: { imageId: labelled } });
    await predict({ imageIds: [fresh, labelled], preAnnotate: { scoreThreshold: 0 } });
    const predicted = (await allPredictions()).filter((p) => p.imageId === fresh && p.className);
    const set = await getJson<ImageAnnotationsDto>(`/api/images/${fresh}/annotations`);
    expect(set.annotations.every((a) => a.source === 'model')).toBe(true);
    // Every prediction with a class becomes an instance unless its mask is a speck.
    expect(set.annotations.length).toBeLessThanOrEqual(predicted.length);
    if (predicted.length > 0) {
      expect(set.annotations.length).toBeGreaterThan(0);
      expect(set.status).toBe('in_progress');
    }
    expect(await db.annotation.count({ where: { imageId: labelled } })).toBe(labelledBefore);
  }, 240_000);
});

describe('review page in Chromium', () => {
  it('filters live with the threshold, opens an image, accepts a prediction and sees the count change', async () => {
    const page = await chromium().newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`${base}/projects/${project.id}/runs/${runId}/review`);
    const grid = page.getByRole('list', { name: 'Review images' });
    await grid.locator('canvas[data-drawn="true"]').first().waitFor();
    const slider = page.getByRole('slider', { name: 'Score threshold' });
    await slider.fill('0.3');
    await expect(page.locator('output').first().textContent()).resolves.toBe('0.30');
    // The statistics follow the slider (fetched again at the new threshold).
    await page.getByText('At score ≥ 0.30').waitFor();
    await slider.fill('0');
    await page.getByText('At score ≥ 0.00').waitFor();
    await page.getByRole('table', { name: 'Confusion matrix' }).waitFor();
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'review-grid.png'), fullPage: true });

    // An image with a prediction not accepted yet.
    const target = (await allPredictions()).find((p) => p.id === fixtures[1])!;
    const fileName = (await db.image.findUniqueOrThrow({ where: { id: target.imageId } })).fileName;
    await page.getByRole('button', { name: `Open ${fileName}` }).click();
    const count = page.getByTestId('annotation-count');
    await count.waitFor();
    const before = Number((await count.textContent())!.split(' ')[0]);
    // By id: two predictions can share a class and a rounded score, and a speck cannot be accepted.
    await page.getByRole('list', { name: 'Predictions' }).locator(`li[data-prediction-id="${target.id}"]`).getByRole('button', { name: `Accept ${target.className} ${target.score.toFixed(3)}` }).click();
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid="annotation-count"]')?.textContent?.split(' ')[0]) === n + 1, before);
    await expect(page.getByRole('status').last().textContent()).resolves.toMatch(/^Accepted /);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'review-single.png'), fullPage: true });

    // Keyboard: → moves on, Esc returns to the grid.
    const heading = page.locator('section[aria-label^="Image "]');
    const first = await heading.getAttribute('aria-label');
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    const atEnd = await page.getByRole('button', { name: 'Next (→)' }).isDisabled();
    await page.keyboard.press(atEnd ? 'ArrowLeft' : 'ArrowRight');
    await page.waitForFunction((name) => document.querySelector('section[aria-label^="Image "]')?.getAttribute('aria-label') !== name, first);
    await page.keyboard.press('Escape');
    await grid.waitFor();

    // The accepted prediction is an editable polygon in the editor, marked as model-made until touched.
    const set = await getJson<ImageAnnotationsDto>(`/api/images/${target.imageId}/annotations`);
    const made = set.annotations.filter((a) => a.source === 'model' && a.polygons.length > 0).at(-1)!;
    const n = set.annotations.indexOf(made) + 1;
    await openEditor(page, project.id, target.imageId);
    const row = page.getByRole('list', { name: 'Regions' }).locator('li').nth(n - 1);
    await expect(row.textContent()).resolves.toMatch(/model/);
    await page.getByRole('button', { name: new RegExp(`^Region ${n}:`) }).click();
    const [x0, y0] = [made.polygons[0]![0]!, made.polygons[0]![1]!];
    const from = await spot(page, x0, y0);
    const to = await spot(page, x0 + 4, y0 + 3);
    await page.mouse.move(from.cx, from.cy);
    await page.mouse.down();
    await page.mouse.move(to.cx, to.cy, { steps: 5 });
    await page.mouse.up();
    const edited = await serverUntil(target.imageId, (a) => a.annotations.some((x) => x.id === made.id && x.source === 'manual'), 'the accepted polygon edited');
    const ring = edited.annotations.find((x) => x.id === made.id)!.polygons[0]!;
    expect(Math.abs(ring[0]! - to.ix)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(ring[1]! - to.iy)).toBeLessThanOrEqual(0.5);
    await expect(row.textContent()).resolves.not.toMatch(/model/);
    await page.close();
  });
});
