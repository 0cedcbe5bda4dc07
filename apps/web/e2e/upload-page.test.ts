import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, inject, it } from 'vitest';
import type { ProjectDto } from '@segmenta/contracts';
import { SCREENSHOT_DIR, useChromium } from './browser';

const base = inject('baseUrl');
const chromium = useChromium();

describe('upload and gallery in Chromium', () => {
  it('uploads through the real file input, reports each file, resumes without re-sending, and shows thumbnails', async () => {
    const res = await fetch(`${base}/api/projects`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: `Browser upload ${Date.now()}` }) });
    const project = (await res.json()) as ProjectDto;
    const salt = Date.now() % 200;
    const files = await Promise.all(
      [0, 1, 2].map(async (i) => ({
        name: `photo-${i}.jpg`,
        mimeType: 'image/jpeg',
        buffer: await sharp({ create: { width: 320 + i, height: 240, channels: 3, background: { r: 40 * i, g: salt, b: 90 } } }).jpeg().toBuffer(),
      })),
    );
    const bad = { name: 'notes.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('not an image') };

    const page = await chromium().newPage({ viewport: { width: 1200, height: 900 } });
    await page.goto(`${base}/projects/${project.id}/upload`);
    await page.getByLabel('Choose files to upload').setInputFiles([...files, bad]);
    const results = page.getByRole('list', { name: 'Upload results' });
    await page.waitForFunction(() => document.querySelector('[aria-label="Upload results"]')?.getAttribute('aria-busy') === 'false');
    expect(await results.locator('li[data-state="stored"]').count()).toBe(3);
    const failed = results.locator('li[data-state="failed"]');
    await expect(failed.textContent()).resolves.toMatch(/notes\.jpg.*not a readable image/);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'upload.png'), fullPage: true });

    // Choosing the same files again (a resumed batch) sends nothing already stored.
    await page.getByLabel('Choose files to upload').setInputFiles(files);
    await page.waitForFunction(() => document.querySelectorAll('[aria-label="Upload results"] li[data-state="skipped"]').length === 3);

    await page.goto(`${base}/projects/${project.id}/images`);
    const thumbs = page.locator('img[src*="variant=thumb"]');
    await thumbs.first().waitFor();
    expect(await thumbs.count()).toBe(3);
    await page.waitForFunction(() => Array.from(document.images).every((i) => i.complete && i.naturalWidth > 0));
    await page.getByRole('button', { name: 'Auto split 70/15/15' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toMatch(/train 2, val 1, test 0$/);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'gallery.png'), fullPage: true });
    await page.close();
  });
});
