import type { Page } from 'playwright-core';
import { inject } from 'vitest';
import type { ImageAnnotationsDto } from '@segmenta/contracts';

// The annotation editor page as browser tests drive it: open it, map image pixels to viewport points
// through the editor's own view transform, and wait for autosave to reach the server.

const base = inject('baseUrl');

export interface Spot {
  /** Integer viewport coordinates for page.mouse. */
  cx: number;
  cy: number;
  /** The image pixel the editor maps that viewport point to. */
  ix: number;
  iy: number;
}

export const annotations = async (imageId: string) => (await (await fetch(`${base}/api/images/${imageId}/annotations`)).json()) as ImageAnnotationsDto;

/** Polls the server until `ok` holds for the stored annotation set (autosave runs ~0.8 s after an edit). */
export async function serverUntil(imageId: string, ok: (a: ImageAnnotationsDto) => boolean, what: string): Promise<ImageAnnotationsDto> {
  let last: ImageAnnotationsDto | undefined;
  for (let i = 0; i < 100; i++) {
    last = await annotations(imageId);
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`server never reached: ${what}; last: ${JSON.stringify(last?.annotations.map((a) => [a.className, a.polygons]))}`);
}

export async function openEditor(page: Page, projectId: string, imageId: string) {
  await page.goto(`${base}/projects/${projectId}/images/${imageId}`);
  await page.waitForSelector('[aria-label="Save state"][data-save-state="saved"]', { timeout: 45_000 }).catch(async (err: Error) => {
    const state = await page.locator('[aria-label="Save state"]').evaluate((e) => `${e.getAttribute('data-save-state')}: ${e.textContent}`).catch(() => 'no save state element');
    const pending = await page.evaluate((id) => localStorage.getItem(`segmenta:editor:pending:${id}`), imageId);
    throw new Error(`editor did not load at ${page.url()} (${state}); pending ${pending}; server ${JSON.stringify(await annotations(imageId))}`.slice(0, 3000), { cause: err });
  });
  await page.waitForFunction(() => !!window.__segmentaEditor && (document.querySelector('main img') as HTMLImageElement | null)?.complete === true);
}

/** The viewport point for an image point (rounded to whole pixels) and the image point it really maps to. */
export async function spot(page: Page, x: number, y: number): Promise<Spot> {
  return page.evaluate(
    ({ x, y }) => {
      // The canvas's untransformed box: its wrapper's padding box (the canvas moves on the compositor while the view moves).
      const wrap = document.querySelector('canvas[aria-label="Annotation canvas"]')!.parentElement!;
      const b = wrap.getBoundingClientRect();
      const r = { left: b.left + wrap.clientLeft, top: b.top + wrap.clientTop };
      const v = window.__segmentaEditor!.view();
      const cx = Math.round(r.left + v.x + x * v.scale);
      const cy = Math.round(r.top + v.y + y * v.scale);
      return { cx, cy, ix: (cx - r.left - v.x) / v.scale, iy: (cy - r.top - v.y) / v.scale };
    },
    { x, y },
  );
}
