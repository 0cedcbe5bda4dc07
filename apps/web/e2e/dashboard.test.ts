import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { defaultAugmentations, loadServerEnv, optimizerSchema, type ProjectDto, type RunDto, type TrainingConfig } from '@segmenta/contracts';
import { createDb, type Db } from '@segmenta/db';
import { annotatedProject } from './annotated-project';
import { launchChromium, SCREENSHOT_DIR } from './browser';

const base = inject('baseUrl');
let browser: Browser;
let db: Db;
let project: ProjectDto;

beforeAll(async () => {
  db = createDb(loadServerEnv().DATABASE_URL);
  project = await annotatedProject(base, db, 'Dashboard');
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await db.$disconnect();
});

describe('training dashboard in Chromium', () => {
  it('launches a run from the form, shows field errors, and the chart gains a point per epoch without reloading', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    await page.goto(`${base}/projects/${project.id}/runs`);
    await page.getByLabel('Epochs').fill('0');
    await page.getByRole('button', { name: 'Launch training' }).click();
    await page.locator('#err-epochs').waitFor();
    await expect(page.locator('#err-epochs').textContent()).resolves.toBe('must be at least 1');

    await page.getByLabel('Epochs').fill('3');
    await page.getByLabel('Name').fill('from the form');
    await page.getByRole('button', { name: 'Launch training' }).click();
    await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
    const runId = page.url().split('/').pop()!;
    await page.evaluate(() => ((window as unknown as { __loaded: boolean }).__loaded = true));

    // Points on the train line of the loss chart: one per finished epoch, arriving over SSE.
    // Okabe–Ito blue is the train line's colour (see run-charts.tsx).
    const trainDots = page.locator('[data-chart="loss"] circle.recharts-dot[stroke="#0072B2"]');
    const seen = new Set<number>();
    const started = Date.now();
    while (Date.now() - started < 120_000) {
      seen.add(await trainDots.count());
      if ((await page.getByTestId('run-status').textContent()) === 'completed') break;
      await page.waitForTimeout(200);
    }
    await expect(page.getByTestId('run-status').textContent()).resolves.toBe('completed');
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'run-page.png'), fullPage: true });
    expect(await trainDots.count()).toBe(3);
    // The page was never reloaded (the marker survived), yet it went from fewer points to all three.
    expect(await page.evaluate(() => (window as unknown as { __loaded?: boolean }).__loaded)).toBe(true);
    expect(Math.min(...seen)).toBeLessThan(3);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'run-page.png'), fullPage: true });

    const csv = await (await fetch(`${base}/api/runs/${runId}/metrics.csv`)).text();
    const run = (await (await fetch(`${base}/api/runs/${runId}`)).json()) as RunDto;
    const rows = csv.trim().split('\n');
    expect(rows[0]).toBe('epoch,split,loss,lossClassifier,lossBoxReg,lossMask,lossObjectness,lossRpnBoxReg,mapBbox,mapSegm,accuracy');
    expect(rows).toHaveLength(1 + run.metrics.length);
    for (const [i, m] of run.metrics.entries()) {
      const cells = rows[i + 1]!.split(',');
      expect([Number(cells[0]), cells[1], Number(cells[2])]).toEqual([m.epoch, m.split, m.loss]);
    }
    await page.goto(`${base}/projects/${project.id}/runs`);
    await expect(page.getByRole('table', { name: 'Training runs' }).textContent()).resolves.toMatch(/from the form.*completed.*tiny.*wasm.*3\/3/);

    // A second run with another learning rate, then the compare view of both.
    const second = await fetch(`${base}/api/projects/${project.id}/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'higher lr', preset: 'tiny', epochs: 2, batchSize: 2, optimizer: { type: 'adam', learningRate: 0.003 } }) });
    const { id: secondId } = (await second.json()) as { id: string };
    const until = Date.now() + 120_000;
    while (Date.now() < until && ((await (await fetch(`${base}/api/runs/${secondId}`)).json()) as RunDto).status !== 'completed') await page.waitForTimeout(300);
    await page.goto(`${base}/projects/${project.id}/runs/compare?ids=${runId},${secondId}`);
    await page.locator('[data-chart="val-loss"] circle.recharts-dot').first().waitFor();
    expect(await page.locator('figure[data-chart]').count()).toBe(3);
    const diff = page.getByRole('table', { name: 'Config differences' });
    await expect(diff.textContent()).resolves.toMatch(/optimizer\.learningRate\s*0\.001\s*0\.003/);
    await expect(diff.textContent()).resolves.toMatch(/epochs\s*3\s*2/);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'compare.png'), fullPage: true });

    // /try: pick a file, see the overlay and the instance list (threshold 0 so the young model shows some).
    const image = await db.image.findFirstOrThrow({ where: { projectId: project.id }, select: { id: true } });
    const bytes = Buffer.from(await (await fetch(`${base}/api/images/${image.id}/file?variant=original`)).arrayBuffer());
    await page.goto(`${base}/try`);
    await page.getByLabel(/Score threshold/).fill('0');
    await page.getByLabel('Image to predict').setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: bytes });
    const overlay = page.getByAltText('Predicted masks over the image');
    await overlay.waitFor({ timeout: 60_000 });
    await page.waitForFunction(() => Array.from(document.images).every((i) => i.complete && i.naturalWidth > 0));
    await expect(page.getByRole('heading', { level: 2 }).textContent()).resolves.toMatch(/^\d+ instance\(s\)$/);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'try.png'), fullPage: true });
    await page.close();
  });

  it('sets optimiser, schedule and augmentation fields in collapsed sections, checks them inline with the schema, and stores exactly them', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    await page.goto(`${base}/projects/${project.id}/runs`);
    // Collapsed by default: the section's fields are not shown until it is opened.
    await expect(page.getByLabel('Weight decay').isVisible()).resolves.toBe(false);
    await page.getByText('Optimiser & schedule', { exact: true }).click();
    await page.getByLabel('Optimizer').selectOption('sgd');
    await expect(page.getByLabel('Weight decay').inputValue()).resolves.toBe('0.0005'); // the schema's SGD default
    await page.getByLabel('Weight decay').fill('-0.1');
    await page.getByRole('button', { name: 'Launch training' }).click();
    const schemaText = optimizerSchema.safeParse({ type: 'sgd', weightDecay: -0.1 }).error!.issues[0]!.message;
    await page.locator('#err-optimizer-weightDecay').waitFor();
    await expect(page.locator('#err-optimizer-weightDecay').textContent()).resolves.toBe(schemaText);
    await expect(page.getByLabel('Weight decay').getAttribute('aria-describedby')).resolves.toBe('err-optimizer-weightDecay');
    expect(page.url()).toBe(`${base}/projects/${project.id}/runs`); // nothing was sent

    // What only the server can tell (the train split's size) comes back as a 400 and lands on its field too.
    await page.getByLabel('Weight decay').fill('0.001');
    await page.getByLabel('Batch size').fill('64');
    await page.getByRole('button', { name: 'Launch training' }).click();
    await page.locator('#err-batchSize').waitFor();
    await expect(page.locator('#err-batchSize').textContent()).resolves.toMatch(/^is 64 but the train split has \d+ annotated image\(s\)$/);
    await expect(page.locator('#err-optimizer-weightDecay').count()).resolves.toBe(0);
    await page.getByLabel('Batch size').fill('2');

    await page.getByLabel('Learning rate').fill('0.01');
    await page.getByLabel('LR schedule').selectOption('cosine');
    await page.getByLabel('Warmup steps').fill('2');
    await page.getByText('Augmentations', { exact: true }).click();
    await page.getByLabel('Probability, step 1').fill('0.25');
    await page.getByLabel('Epochs').fill('1');
    await page.getByLabel('Name').fill('sgd cosine from the form');
    await page.getByRole('button', { name: 'Launch training' }).click();
    await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
    const runId = page.url().split('/').pop()!;
    const run = (await (await fetch(`${base}/api/runs/${runId}`)).json()) as RunDto;
    const config = run.config as TrainingConfig;
    expect(config.epochs).toBe(1);
    expect(config.init).toEqual({ kind: 'none' });
    expect(config.optimizer).toEqual({ type: 'sgd', learningRate: 0.01, momentum: 0.9, weightDecay: 0.001 });
    expect(config.schedule).toEqual({ type: 'cosine', warmupSteps: 2, stepSizeEpochs: 3, gamma: 0.1 });
    expect(config.augmentations).toEqual([{ type: 'horizontalFlip', p: 0.25 }, ...defaultAugmentations.slice(1)]);
    expect(config.imageSize).toBeUndefined();
    const until = Date.now() + 120_000;
    let status = run.status;
    while (Date.now() < until && status !== 'completed' && status !== 'failed') {
      await page.waitForTimeout(300);
      status = ((await (await fetch(`${base}/api/runs/${runId}`)).json()) as RunDto).status;
    }
    expect(status).toBe('completed');

    // Duplicate with edits shows every one of those settings instead of carrying them hidden.
    await page.goto(`${base}/projects/${project.id}/runs?from=${runId}`);
    await page.getByText('Optimiser & schedule', { exact: true }).click();
    await page.getByText('Augmentations', { exact: true }).click();
    await expect(page.getByLabel('Optimizer').inputValue()).resolves.toBe('sgd');
    await expect(page.getByLabel('Weight decay').inputValue()).resolves.toBe('0.001');
    await expect(page.getByLabel('LR schedule').inputValue()).resolves.toBe('cosine');
    await expect(page.getByLabel('Warmup steps').inputValue()).resolves.toBe('2');
    await expect(page.getByLabel('Probability, step 1').inputValue()).resolves.toBe('0.25');
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'launch-form-sections.png'), fullPage: true });

    // Initial weights from that run: only runs with a checkpoint are offered, and the choice is stored.
    await page.goto(`${base}/projects/${project.id}/runs`);
    await page.getByText('Initial weights', { exact: true }).click();
    await page.getByLabel('A previous run of this project').check();
    await page.getByLabel('Run to start from').selectOption({ label: 'sgd cosine from the form' });
    await page.getByLabel('Epochs').fill('1');
    await page.getByLabel('Name').fill('fine-tuned from the form');
    await page.getByRole('button', { name: 'Launch training' }).click();
    await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
    const tuned = (await (await fetch(`${base}${new URL(page.url()).pathname.replace('/runs/', '/api/runs/')}`)).json()) as RunDto;
    expect((tuned.config as TrainingConfig).init).toEqual({ kind: 'run', runId });
    const tunedUntil = Date.now() + 120_000;
    while (Date.now() < tunedUntil && !['completed', 'failed'].includes(((await (await fetch(`${base}/api/runs/${tuned.id}`)).json()) as RunDto).status)) await page.waitForTimeout(300);
    await page.close();
  });
});
