import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { apiErrorSchema, loadServerEnv, type ProjectDto, type RunDto, type RunLogsDto } from '@segmenta/contracts';
import { createDb, type Db } from '@segmenta/db';
import { annotatedProject } from './annotated-project';
import { SCREENSHOT_DIR, useChromium } from './browser';

// Issue #9's runs list, run page and dashboard, and #8's run logs, against the real server and worker.
const base = inject('baseUrl');
const env = loadServerEnv();
const chromium = useChromium();
let db: Db;
let project: ProjectDto;
let finished: RunDto;

const post = (p: string, body?: unknown) => fetch(`${base}${p}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
const getRun = async (id: string) => (await (await fetch(`${base}/api/runs/${id}`)).json()) as RunDto;
const getLogs = async (id: string, q = '') => (await (await fetch(`${base}/api/runs/${id}/logs${q}`)).json()) as RunLogsDto;

async function waitForRun(id: string, done: (r: RunDto) => boolean, timeoutMs = 150_000): Promise<RunDto> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const run = await getRun(id);
    if (done(run)) return run;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`run ${id} did not reach the expected state in ${timeoutMs} ms`);
}

async function waitForLog(id: string, line: RegExp, timeoutMs = 60_000): Promise<string[]> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const lines = (await getLogs(id, '?limit=1000')).lines.map((l) => l.message);
    if (lines.some((l) => line.test(l))) return lines;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`run ${id}'s log has no line matching ${line} after ${timeoutMs} ms`);
}

async function launch(config: Record<string, unknown>): Promise<string> {
  const res = await post(`/api/projects/${project.id}/runs`, { preset: 'tiny', batchSize: 2, optimizer: { type: 'adam', learningRate: 1e-3 }, ...config });
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

beforeAll(async () => {
  db = createDb(env.DATABASE_URL);
  project = await annotatedProject(base, db, 'Runs dashboard');
});
afterAll(async () => {
  await db.$disconnect();
});

describe('run logs', () => {
  it('stores the worker log of a 2-epoch run and pages it with after/limit', async () => {
    const id = await launch({ name: 'alpha', epochs: 2, seed: 5, schedule: { type: 'cosine', warmupSteps: 1 } });
    finished = await waitForRun(id, (r) => r.status === 'completed' || r.status === 'failed');
    expect(finished.error).toBeNull();
    const all = await getLogs(id, '?limit=1000');
    const text = all.lines.map((l) => l.message).join('\n');
    // the worker runs one wasm thread per core, named when there are several
    expect(text).toMatch(/^Started · Backend wasm(?: \(\d+ threads\))? · preset tiny .* 2 epoch\(s\) · batch 2×1 · Adam lr 0\.001/m);
    expect(text).toMatch(/^Dataset: 4 train, 1 val, 1 test image\(s\)/m);
    expect(text).toMatch(/^Epoch 1\/2 · train loss \d+\.\d+ · val loss \d+\.\d+ \(segm mAP/m);
    expect(text).toMatch(/^Epoch 2\/2 · /m);
    expect(text).toMatch(/^Saved checkpoint of epoch 2; best is epoch [12]/m);
    expect(all.lines.at(-1)!.message).toMatch(/^Completed 2 epoch\(s\)/);
    expect(all.more).toBe(false);
    const ids = all.lines.map((l) => l.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));

    // Paging: one line at a time says there is more; after the last id there is nothing new.
    const first = await getLogs(id, '?limit=1');
    expect(first.lines).toHaveLength(1);
    expect(first.more).toBe(true);
    const rest = await getLogs(id, `?after=${first.last}&limit=1000`);
    expect(rest.lines.map((l) => l.id)).toEqual(ids.slice(1));
    expect(await getLogs(id, `?after=${all.last}`)).toEqual({ lines: [], last: all.last, more: false });

    const bad = await fetch(`${base}/api/runs/${id}/logs?limit=0`);
    expect(bad.status).toBe(400);
    expect(apiErrorSchema.parse(await bad.json()).error.details.map((d) => d.path)).toContain('limit');
  });
});

describe('DELETE /api/runs/:runId', () => {
  it('refuses a running run with 409 (cancel first); the cancel is logged', async () => {
    const id = await launch({ name: 'long one', epochs: 50 });
    await waitForRun(id, (r) => r.status === 'running' || r.status === 'failed');
    const refused = await fetch(`${base}/api/runs/${id}`, { method: 'DELETE' });
    expect(refused.status).toBe(409);
    expect(apiErrorSchema.parse(await refused.json()).error.message).toMatch(/running; cancel it first/);
    expect((await post(`/api/runs/${id}/cancel`)).status).toBe(202);
    expect((await getRun(id)).status).toBe('cancelled');
    // The worker's own line comes once it has stopped, after the step it was in.
    const lines = await waitForLog(id, /^Stopped (after step \d+|before the first step): the run was cancelled; /);
    expect(lines).toContain('Cancelled; a worker training the run stops after its current step');
  });
});

describe('runs dashboard in Chromium', () => {
  it('downloads each chart as PNG and SVG and shows the log and progress on the run page', async () => {
    const page = await chromium().newPage({ viewport: { width: 1280, height: 1000 } });
    await page.goto(`${base}/runs/${finished.id}`);
    await page.locator('[data-chart="loss"] .recharts-wrapper > svg.recharts-surface').waitFor();
    await expect(page.getByTestId('run-progress').textContent()).resolves.toMatch(/^100% · epoch 2\/2 · step 4\/4 · took (under )?\d+ s/);
    const log = page.getByRole('log', { name: 'Run log' });
    await log.getByText(/Completed 2 epoch/).waitFor();
    await expect(log.textContent()).resolves.toMatch(/Epoch 1\/2 · train loss/);

    const [svgDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download Loss per epoch (best epoch marked) as SVG' }).click()]);
    expect(svgDownload.suggestedFilename()).toBe('alpha-loss-per-epoch-best-epoch-marked.svg');
    const svg = readFileSync(await svgDownload.path());
    expect(svg.toString('utf8')).toMatch(/^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg.toString('utf8')).toContain('recharts-line');
    expect(svg.toString('utf8')).toContain('>train</text>');

    const [pngDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download Per-step training loss and learning rate as PNG' }).click()]);
    expect(pngDownload.suggestedFilename()).toMatch(/\.png$/);
    const png = readFileSync(await pngDownload.path());
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.length).toBeGreaterThan(2_000);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'run-page-logs.png'), fullPage: true });
    await page.close();
  });

  it('sorts the runs table with keyboard-accessible buttons, shows estimates, and duplicates a run prefilled', async () => {
    const page = await chromium().newPage({ viewport: { width: 1280, height: 1000 } });
    await page.goto(`${base}/projects/${project.id}/runs`);
    const table = page.getByRole('table', { name: 'Training runs' });
    const names = () => table.locator('tbody tr td:first-child').allTextContents();
    await expect(names()).resolves.toEqual(['long one', 'alpha']); // newest first by default

    const runHeader = table.locator('th', { has: page.getByRole('button', { name: 'Run', exact: true }) });
    await expect(runHeader.getAttribute('aria-sort')).resolves.toBe('none');
    await page.getByRole('button', { name: 'Run', exact: true }).focus();
    await page.keyboard.press('Enter');
    await expect(runHeader.getAttribute('aria-sort')).resolves.toBe('ascending');
    await expect(names()).resolves.toEqual(['alpha', 'long one']);
    await page.keyboard.press('Space');
    await expect(runHeader.getAttribute('aria-sort')).resolves.toBe('descending');
    await expect(names()).resolves.toEqual(['long one', 'alpha']);
    // Status sorts by lifecycle: completed before cancelled.
    await page.getByRole('button', { name: 'Status', exact: true }).click();
    await expect(names()).resolves.toEqual(['alpha', 'long one']);
    await expect(table.locator('th[aria-sort="ascending"]').textContent()).resolves.toMatch(/^Status/);

    await expect(page.getByTestId('split-sizes').textContent()).resolves.toMatch(/^Trains on 4 annotated train images, validates on 1, tests on 1 · 2 steps per epoch/);
    await expect(page.getByTestId('step-estimate').textContent()).resolves.toMatch(/^Step time on wasm: about \d+(\.\d+)? s \(median from \d+ earlier steps?\)/);
    await page.getByLabel('Preset').selectOption('torchvision');
    await expect(page.getByTestId('step-estimate').textContent()).resolves.toMatch(/no estimate yet/);

    await page.getByRole('link', { name: 'Duplicate alpha with edits' }).click();
    await page.waitForURL(new RegExp(`from=${finished.id}`));
    await page.getByRole('note').getByText('Duplicating').waitFor();
    await expect(page.getByLabel('Name').inputValue()).resolves.toBe('alpha (copy)');
    await expect(page.getByLabel('Epochs').inputValue()).resolves.toBe('2');
    await expect(page.getByLabel('Learning rate').inputValue()).resolves.toBe('0.001');
    await expect(page.getByLabel('Seed').inputValue()).resolves.toBe('5');
    await page.getByLabel('Epochs').fill('1');
    await page.getByRole('button', { name: 'Launch training' }).click();
    await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
    const copy = await getRun(page.url().split('/').pop()!);
    expect(copy.name).toBe('alpha (copy)');
    // Edited field changed, the ones the form does not show came along from the source run.
    expect(copy.config).toMatchObject({ epochs: 1, seed: 5, schedule: { type: 'cosine', warmupSteps: 1 } });
    await waitForRun(copy.id, (r) => r.status === 'completed' || r.status === 'failed');
    await page.goto(`${base}/projects/${project.id}/runs`);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'runs-list.png'), fullPage: true });
    await page.close();
  });

  it('shows annotation progress next to the latest runs on the project page', async () => {
    // Review states as the editor would leave them: one train image done, one reviewed, the val image waiting.
    const images = await db.image.findMany({ where: { projectId: project.id }, orderBy: { id: 'asc' }, select: { id: true, split: true } });
    const train = images.filter((i) => i.split === 'train');
    await db.image.update({ where: { id: train[0]!.id }, data: { status: 'done' } });
    await db.image.update({ where: { id: train[1]!.id }, data: { status: 'reviewed' } });
    await db.image.updateMany({ where: { projectId: project.id, split: 'val' }, data: { status: 'needs_review' } });
    const page = await chromium().newPage({ viewport: { width: 1280, height: 1000 } });
    await page.goto(`${base}/projects/${project.id}`);
    const progress = page.getByRole('table', { name: 'Annotation progress per split' });
    const cells = (split: string) => progress.locator(`tr[data-split="${split}"] td`).allTextContents();
    // annotated, done, reviewed, needs review, total (then the bar)
    await expect(cells('train')).resolves.toEqual(['4', '1', '1', '0', '4', '']);
    await expect(cells('val')).resolves.toEqual(['1', '0', '0', '1', '1', '']);
    await expect(progress.getByRole('img', { name: 'train: 1 reviewed and 1 done of 4 images' }).count()).resolves.toBe(1);
    const latest = page.getByRole('list', { name: 'Latest runs' });
    await expect(latest.getByRole('listitem').count()).resolves.toBe(3);
    await expect(latest.getByRole('listitem').first().textContent()).resolves.toMatch(/^alpha \(copy\)completed/);
    await expect(latest.textContent()).resolves.toMatch(/alphacompletedbest val loss \d+\.\d{4} \(epoch [12]\)/);
    const perClass = page.getByRole('list', { name: 'Instances per class' });
    await expect(perClass.textContent()).resolves.toMatch(/circle\d+square\d+/);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'project-dashboard.png'), fullPage: true });
    await page.close();
  });

  it('deletes a finished run from the list with its checkpoint files, rows and an audit entry', async () => {
    const dir = path.join(env.DATA_DIR, 'checkpoints', finished.id);
    const ckpts = await db.checkpoint.findMany({ where: { runId: finished.id } });
    expect(ckpts.length).toBeGreaterThan(0);
    for (const c of ckpts) expect(existsSync(path.join(env.DATA_DIR, c.path, 'model.json'))).toBe(true);
    expect(await db.runLog.count({ where: { runId: finished.id } })).toBeGreaterThan(0);

    const page = await chromium().newPage({ viewport: { width: 1280, height: 1000 } });
    await page.goto(`${base}/projects/${project.id}/runs`);
    await page.getByRole('button', { name: 'Delete alpha', exact: true }).click();
    await page.getByRole('group', { name: 'Confirm deleting alpha' }).getByRole('button', { name: 'Yes, delete' }).click();
    await page.getByRole('status').getByText('Deleted "alpha" and its files').waitFor();
    await page.waitForFunction(() => !Array.from(document.querySelectorAll('tbody tr td:first-child')).some((td) => td.textContent === 'alpha'));
    await page.close();

    expect((await fetch(`${base}/api/runs/${finished.id}`)).status).toBe(404);
    expect(existsSync(dir)).toBe(false);
    expect(await db.checkpoint.count({ where: { runId: finished.id } })).toBe(0);
    expect(await db.epochMetric.count({ where: { runId: finished.id } })).toBe(0);
    expect(await db.stepMetric.count({ where: { runId: finished.id } })).toBe(0);
    expect(await db.runLog.count({ where: { runId: finished.id } })).toBe(0);
    expect(await db.auditLog.count({ where: { action: 'run.delete', targetId: finished.id } })).toBe(1);
    // A second delete finds nothing.
    expect((await fetch(`${base}/api/runs/${finished.id}`, { method: 'DELETE' })).status).toBe(404);
  });
});
