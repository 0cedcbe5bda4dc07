import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { SCREENSHOT_DIR, useChromium } from './browser';

const base = inject('baseUrl');
const chromium = useChromium();

describe('projects pages in Chromium', () => {
  it('lists the demo project and opens its overview with counts, classes and thumbnails', async () => {
    const page = await chromium().newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${base}/`);
    expect(new URL(page.url()).pathname).toBe('/projects');
    const card = page.getByRole('link', { name: /Campus demo/ });
    await expect(card.textContent()).resolves.toMatch(/36 images/);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'projects.png'), fullPage: true });

    await card.click();
    await page.waitForURL(/\/projects\/[0-9a-f-]{36}$/);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Campus demo');
    const counts = page.getByRole('list', { name: 'Counts' }).or(page.locator('dl[aria-label="Counts"]'));
    await expect(counts.textContent()).resolves.toMatch(/Images\s*36/);
    const rows = page.getByRole('list', { name: 'Classes' }).locator('li');
    expect(await rows.count()).toBe(10);
    await expect(page.getByLabel('Name of person').inputValue()).resolves.toBe('person');
    await expect(rows.first().textContent()).resolves.toMatch(/^1\s*\d+ instances/);
    // Thumbnails come through the checked file route and decode in the browser.
    const thumbs = page.locator('img[src*="variant=thumb"]');
    expect(await thumbs.count()).toBe(12);
    await page.waitForFunction(() => Array.from(document.images).every((i) => i.complete && i.naturalWidth > 0));
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'project-overview.png'), fullPage: true });
    await page.close();
  });

  it('creates a project from the form (API validation message for a blank name), then adds, renames and deletes classes', async () => {
    const page = await chromium().newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(`${base}/projects`);
    // Next's route announcer is also role=alert; the form's own message has an id.
    const error = page.locator('#project-name-error');
    await page.getByRole('button', { name: 'Create project' }).click();
    await error.waitFor();
    await expect(error.textContent()).resolves.toBe('name: must not be empty');
    const name = `Browser project ${Date.now()}`;
    await page.getByLabel('Project name').fill(name);
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.waitForURL(/\/projects\/[0-9a-f-]{36}$/);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(name);

    // Manage classes: add one, rename one, delete an unused one; the page reflects the database.
    const status = page.getByRole('status');
    await page.getByLabel('New class name').fill('bird');
    await page.getByRole('button', { name: 'Add class' }).click();
    await page.getByLabel('Name of bird').waitFor();
    await page.getByLabel('Name of person').fill('people');
    await page.getByLabel('Name of person').press('Enter');
    await page.getByLabel('Name of people').waitFor();
    await expect(status.textContent()).resolves.toBe('renamed to people');
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('listitem').filter({ has: page.getByLabel('Name of bench') }).getByRole('button', { name: 'Delete' }).click();
    await page.waitForFunction(() => !document.querySelector('[aria-label="Name of bench"]'));
    await page.reload();
    const names = await page.getByRole('list', { name: 'Classes' }).locator('input[aria-label^="Name of"]').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
    expect(names).toContain('people');
    expect(names).toContain('bird');
    expect(names).not.toContain('bench');
    expect(names).toHaveLength(10);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'new-project-mobile.png'), fullPage: true });
    await page.close();
  });
});
