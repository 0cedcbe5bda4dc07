import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadServerEnv, type ProjectDto, type RunDto } from '@segmenta/contracts';
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
});
