import path from 'node:path';
import sharp from 'sharp';
import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { decodeRle, instanceRasterArea, instanceToRle, polygonsToRle, rleArea } from '@segmenta/coco';
import type { ProjectDto, UploadResultDto } from '@segmenta/contracts';
import { annotations, openEditor, serverUntil, spot, type Spot } from './editor-page';
import { SCREENSHOT_DIR, useChromium } from './browser';

const base = inject('baseUrl');
const chromium = useChromium();

const api = (p: string, init: RequestInit = {}) => fetch(`${base}${p}`, init);
const newContext = () => chromium().newContext({ viewport: { width: 1400, height: 1000 } });

async function newProject(name: string): Promise<ProjectDto> {
  const res = await api('/api/projects', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: `${name} ${Date.now()}`, classes: [{ name: 'cat' }, { name: 'dog' }, { name: 'bird' }] }) });
  expect(res.status).toBe(201);
  return (await res.json()) as ProjectDto;
}

async function upload(projectId: string, file: Buffer, name: string): Promise<string> {
  const form = new FormData();
  form.append('files', new Blob([new Uint8Array(file)]), name);
  const body = (await (await api(`/api/projects/${projectId}/images`, { method: 'POST', body: form })).json()) as UploadResultDto;
  expect(body.errors).toEqual([]);
  return body.images[0]!.id;
}

const photo = (width: number, height: number, seed: number) =>
  sharp({ create: { width, height, channels: 3, background: { r: 60 + (seed % 150), g: 90, b: 120 } } })
    .composite([{ input: { create: { width: Math.round(width / 3), height: Math.round(height / 3), channels: 3, background: { r: 240, g: 240, b: 240 } } }, left: 10, top: 10 }])
    .jpeg()
    .toBuffer();

/** Clicks the polygon's points with real mouse events and closes it on its first point. */
async function drawPolygon(page: Page, points: [number, number][]): Promise<Spot[]> {
  const spots: Spot[] = [];
  for (const [x, y] of points) {
    const s = await spot(page, x, y);
    await page.mouse.click(s.cx, s.cy);
    spots.push(s);
  }
  await page.mouse.click(spots[0]!.cx, spots[0]!.cy);
  return spots;
}

function expectRing(ring: number[] | undefined, spots: Spot[]) {
  expect(ring).toHaveLength(spots.length * 2);
  spots.forEach((s, i) => {
    expect(Math.abs(ring![2 * i]! - s.ix)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(ring![2 * i + 1]! - s.iy)).toBeLessThanOrEqual(0.5);
  });
}

const ringNear = (ring: number[], spots: Spot[]) => ring.length === spots.length * 2 && spots.every((s, i) => Math.abs(ring[2 * i]! - s.ix) <= 0.5 && Math.abs(ring[2 * i + 1]! - s.iy) <= 0.5);

describe('annotation editor in Chromium', () => {
  it('draws with the mouse, drags a vertex, undoes and redoes, changes class by hotkey, and reloads it all', async () => {
    const project = await newProject('Editor draw');
    const imageId = await upload(project.id, await photo(640, 480, 1), 'draw.jpg');
    const context = await newContext();
    const page = await context.newPage();
    await openEditor(page, project.id, imageId);
    const [cat, dog] = [...project.classes].sort((a, b) => a.order - b.order);

    const spots = await drawPolygon(page, [[100, 100], [300, 120], [280, 300], [120, 280]]);
    await expect(page.getByRole('list', { name: 'Regions' }).locator('li').count()).resolves.toBe(1);
    let set = await serverUntil(imageId, (a) => a.annotations.length === 1, 'one polygon');
    expect(set.annotations[0]!.classId).toBe(cat!.id);
    expectRing(set.annotations[0]!.polygons[0], spots);

    // Drag the second vertex (the new region is still selected).
    const target = await spot(page, 340, 60);
    await page.mouse.move(spots[1]!.cx, spots[1]!.cy);
    await page.mouse.down();
    await page.mouse.move(target.cx, target.cy, { steps: 6 });
    await page.mouse.up();
    const dragged = [spots[0]!, target, spots[2]!, spots[3]!];
    await serverUntil(imageId, (a) => ringNear(a.annotations[0]?.polygons[0] ?? [], dragged), 'dragged vertex');

    await page.keyboard.press('Control+z');
    await serverUntil(imageId, (a) => ringNear(a.annotations[0]?.polygons[0] ?? [], spots), 'undone drag');
    await page.keyboard.press('Control+Shift+z');
    await serverUntil(imageId, (a) => ringNear(a.annotations[0]?.polygons[0] ?? [], dragged), 'redone drag');
    // Undo twice removes the drag and the polygon; Ctrl+Y brings the polygon back.
    await page.keyboard.press('Control+z');
    await page.keyboard.press('Control+z');
    await serverUntil(imageId, (a) => a.annotations.length === 0, 'polygon undone');
    await page.keyboard.press('Control+y');
    await page.keyboard.press('Control+y');
    await serverUntil(imageId, (a) => ringNear(a.annotations[0]?.polygons[0] ?? [], dragged), 'redone again');

    // Select the region in the list and change its class with hotkey 2.
    await page.getByRole('button', { name: /^Region 1:/ }).click();
    await page.keyboard.press('2');
    await serverUntil(imageId, (a) => a.annotations[0]?.classId === dog!.id, 'class changed to dog');
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'editor.png') });

    await page.reload();
    await openEditor(page, project.id, imageId);
    await expect(page.getByRole('button', { name: /^Region 1: dog/ }).count()).resolves.toBe(1);
    set = await annotations(imageId);
    expect(set.annotations).toHaveLength(1);
    expectRing(set.annotations[0]!.polygons[0], dragged);
    await context.close();
  });

  it('inserts a vertex from a midpoint handle, deletes it, moves the region and adds a second part', async () => {
    const project = await newProject('Editor edit');
    const imageId = await upload(project.id, await photo(640, 480, 4), 'edit.jpg');
    const context = await newContext();
    const page = await context.newPage();
    await openEditor(page, project.id, imageId);
    const square = await drawPolygon(page, [[100, 100], [300, 100], [300, 300], [100, 300]]);
    await serverUntil(imageId, (a) => a.annotations.length === 1, 'square');
    await page.keyboard.press('v');

    // Drag the "+" handle in the middle of the top edge: a new vertex between the first two.
    const mid = await spot(page, (square[0]!.ix + square[1]!.ix) / 2, (square[0]!.iy + square[1]!.iy) / 2);
    const up = await spot(page, 200, 50);
    await page.mouse.move(mid.cx, mid.cy);
    await page.mouse.down();
    await page.mouse.move(up.cx, up.cy, { steps: 4 });
    await page.mouse.up();
    const five = [square[0]!, up, square[1]!, square[2]!, square[3]!];
    await serverUntil(imageId, (a) => ringNear(a.annotations[0]?.polygons[0] ?? [], five), 'inserted vertex');

    // Click it (selects the vertex), Delete removes it.
    await page.mouse.click(up.cx, up.cy);
    await page.keyboard.press('Delete');
    await serverUntil(imageId, (a) => ringNear(a.annotations[0]?.polygons[0] ?? [], square), 'vertex deleted');

    // Drag the inside: the whole region moves.
    const from = await spot(page, 200, 200);
    const to = await spot(page, 250, 230);
    await page.mouse.move(from.cx, from.cy);
    await page.mouse.down();
    await page.mouse.move(to.cx, to.cy, { steps: 5 });
    await page.mouse.up();
    const [dx, dy] = [to.ix - from.ix, to.iy - from.iy];
    const moved = square.map((p) => ({ ...p, ix: p.ix + dx, iy: p.iy + dy }));
    await serverUntil(imageId, (a) => ringNear(a.annotations[0]?.polygons[0] ?? [], moved), 'region moved');

    // A second part of the same instance, closed with Enter.
    await page.getByRole('button', { name: 'Add part' }).click();
    const part: Spot[] = [];
    for (const [x, y] of [[450, 350], [600, 360], [520, 460]] as const) {
      const sp = await spot(page, x, y);
      await page.mouse.click(sp.cx, sp.cy);
      part.push(sp);
    }
    await page.keyboard.press('Enter');
    const set = await serverUntil(imageId, (a) => a.annotations[0]?.polygons.length === 2, 'second part');
    expect(set.annotations).toHaveLength(1);
    expectRing(set.annotations[0]!.polygons[0], moved);
    expectRing(set.annotations[0]!.polygons[1], part);
    await expect(page.getByText('2 parts').count()).resolves.toBe(1);
    await context.close();
  });

  it('draws a hole with "Add part" inside a region: shown as a hole, listed with the stored area, saved, reloaded and clicked through', async () => {
    const project = await newProject('Editor hole');
    // A plain background (no bright block) so a pixel's tint shows whether the region covers it.
    const plain = await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 120, g: 120, b: 120 } } }).jpeg().toBuffer();
    const imageId = await upload(project.id, plain, 'hole.jpg');
    const context = await newContext();
    const page = await context.newPage();
    await openEditor(page, project.id, imageId);
    const outer = await drawPolygon(page, [[100, 100], [420, 100], [420, 380], [100, 380]]);
    await serverUntil(imageId, (a) => a.annotations.length === 1, 'outline');
    await page.getByRole('button', { name: 'Add part' }).click();
    const inner = await drawPolygon(page, [[180, 160], [330, 170], [320, 310], [170, 300]]);
    let set = await serverUntil(imageId, (a) => a.annotations[0]?.polygons.length === 2, 'hole');
    expectRing(set.annotations[0]!.polygons[0], outer);
    expectRing(set.annotations[0]!.polygons[1], inner);
    const stored = set.annotations[0]!.area;
    // The server stores the outline without the hole, as the rule rasterises it.
    expect(stored).toBe(instanceRasterArea(set.annotations[0]!.polygons, 480, 640));
    expect(stored).toBeLessThan(rleArea(polygonsToRle([set.annotations[0]!.polygons[0]!], 480, 640)) - 15_000);

    const listed = async () => {
      const text = await page.getByRole('list', { name: 'Regions' }).locator('li').first().innerText();
      return { area: Number(/([\d,]+) px²/.exec(text)![1]!.replace(/,/g, '')), text };
    };
    const shown = await listed();
    expect(shown.area).toBe(stored);
    expect(shown.text).toContain('1 part, 1 hole');

    // Deselect and switch to selecting, then read screen pixels: the hole shows the photo as it is, the ring is tinted.
    await page.keyboard.press('Escape');
    await page.keyboard.press('v');
    const pixel = async (x: number, y: number) => {
      const s = await spot(page, x, y);
      const png = await page.screenshot({ clip: { x: s.cx, y: s.cy, width: 1, height: 1 } });
      return [...(await sharp(png).removeAlpha().raw().toBuffer())];
    };
    const tinted = (a: number[], b: number[]) => a.some((v, i) => Math.abs(v - b[i]!) > 12);
    const bare = await pixel(520, 430);
    expect(tinted(await pixel(250, 235), bare)).toBe(false);
    expect(tinted(await pixel(130, 340), bare)).toBe(true);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'editor-hole.png') });

    // A click in the hole selects nothing; a click on the ring selects the region.
    const region = page.getByRole('button', { name: /^Region 1:/ });
    const inHole = await spot(page, 250, 235);
    await page.mouse.click(inHole.cx, inHole.cy);
    await expect(region.getAttribute('aria-pressed')).resolves.toBe('false');
    const onRing = await spot(page, 130, 340);
    await page.mouse.click(onRing.cx, onRing.cy);
    await expect(region.getAttribute('aria-pressed')).resolves.toBe('true');

    await page.reload();
    await openEditor(page, project.id, imageId);
    set = await annotations(imageId);
    expect(set.annotations).toHaveLength(1);
    expectRing(set.annotations[0]!.polygons[1], inner);
    await expect(listed().then((l) => l.area)).resolves.toBe(stored);
    await context.close();
  });

  it('paints exactly what the server stores: overlapping parts united, overlapping holes both cut, an island in a hole', async () => {
    const project = await newProject('Editor rule');
    const plain = await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 120, g: 120, b: 120 } } }).jpeg().toBuffer();
    const imageId = await upload(project.id, plain, 'rule.jpg');
    const rect = (x0: number, y0: number, x1: number, y1: number) => [x0, y0, x1, y0, x1, y1, x0, y1];
    const rings = [rect(60, 60, 300, 300), rect(100, 100, 180, 180), rect(150, 150, 240, 240), rect(110, 110, 130, 130), rect(260, 120, 420, 200)];
    const put = await fetch(`${base}/api/images/${imageId}/annotations`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ version: 0, annotations: [{ className: 'cat', polygons: rings }] }) });
    expect(put.status).toBe(200);
    const mask = decodeRle(instanceToRle(rings, 480, 640));
    const context = await newContext();
    const page = await context.newPage();
    await openEditor(page, project.id, imageId);
    const shot = await sharp(await page.screenshot()).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const at = async (x: number, y: number) => {
      const s = await spot(page, x, y);
      const i = 3 * (s.cy * shot.info.width + s.cx);
      return [shot.data[i]!, shot.data[i + 1]!, shot.data[i + 2]!];
    };
    const bare = await at(520, 430);
    // Points on a grid, away from every edge (outlines are stroked there).
    const nearEdge = (x: number, y: number) => rings.some((r) => (Math.abs(x - r[0]!) < 5 || Math.abs(x - r[2]!) < 5) ? y > r[1]! - 5 && y < r[5]! + 5 : (Math.abs(y - r[1]!) < 5 || Math.abs(y - r[5]!) < 5) && x > r[0]! - 5 && x < r[2]! + 5);
    const disagree: string[] = [];
    let inside = 0;
    for (let y = 42; y < 330; y += 12) {
      for (let x = 42; x < 440; x += 12) {
        if (nearEdge(x, y)) continue;
        const painted = (await at(x, y)).some((v, i) => Math.abs(v - bare[i]!) > 12);
        const stored = mask[y * 640 + x] === 1;
        if (stored) inside++;
        if (painted !== stored) disagree.push(`(${x}, ${y}) painted ${painted}, stored ${stored}`);
      }
    }
    expect(disagree).toEqual([]);
    expect(inside).toBeGreaterThan(200);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'editor-hole-rule.png') });
    await expect(page.getByText('3 parts, 2 holes').count()).resolves.toBe(1);
    await context.close();
  });

  it('keeps vertices to half a pixel when zoomed in and panned, and on an EXIF-rotated photo', async () => {
    const project = await newProject('Editor zoom');
    // 360×240 stored with orientation 6 (rotate 90° clockwise): shown 240×360, the red corner moves to the top right.
    const raw = await sharp({ create: { width: 360, height: 240, channels: 3, background: { r: 30, g: 30, b: 160 } } })
      .composite([{ input: { create: { width: 60, height: 40, channels: 3, background: { r: 255, g: 0, b: 0 } } }, left: 0, top: 0 }])
      .jpeg({ quality: 95 })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const imageId = await upload(project.id, raw, 'rotated.jpg');
    expect(await annotations(imageId)).toMatchObject({ width: 240, height: 360 });
    const context = await newContext();
    const page = await context.newPage();
    await openEditor(page, project.id, imageId);

    const pixel = async (x: number, y: number) => {
      const s = await spot(page, x, y);
      const png = await page.screenshot({ clip: { x: s.cx, y: s.cy, width: 1, height: 1 } });
      return [...(await sharp(png).removeAlpha().raw().toBuffer())];
    };
    const [r1, g1] = await pixel(220, 20);
    expect(r1).toBeGreaterThan(180);
    expect(g1).toBeLessThan(80);
    const [r2] = await pixel(20, 20);
    expect(r2).toBeLessThan(100);

    // Zoom in around the red corner with the wheel, then pan with the middle button.
    const corner = await spot(page, 220, 30);
    await page.mouse.move(corner.cx, corner.cy);
    for (let i = 0; i < 5; i++) await page.mouse.wheel(0, -200);
    await page.mouse.move(corner.cx, corner.cy);
    await page.mouse.down({ button: 'middle' });
    await page.mouse.move(corner.cx - 150, corner.cy + 300, { steps: 5 });
    await page.mouse.up({ button: 'middle' });
    const scale = await page.evaluate(() => window.__segmentaEditor!.view().scale);
    expect(scale).toBeGreaterThan(4);
    const [r3] = await pixel(225, 25);
    expect(r3).toBeGreaterThan(180);

    const spots = await drawPolygon(page, [[205.3, 5.2], [236.1, 8.9], [233.4, 51.7], [207.8, 48.2], [210.6, 30.4]]);
    const set = await serverUntil(imageId, (a) => a.annotations.length === 1, 'zoomed polygon');
    expectRing(set.annotations[0]!.polygons[0], spots);
    // Zoomed in, a viewport pixel is a fraction of an image pixel: the stored points are not rounded.
    expect(spots.some((s) => Math.abs(s.ix - Math.round(s.ix)) > 0.05)).toBe(true);

    await page.reload();
    await openEditor(page, project.id, imageId);
    expectRing((await annotations(imageId)).annotations[0]!.polygons[0], spots);
    await context.close();
  });

  it('gives the stale tab a conflict, and "keep both" loses no polygon', async () => {
    const project = await newProject('Editor conflict');
    const imageId = await upload(project.id, await photo(500, 400, 2), 'shared.jpg');
    const context = await newContext();
    const [a, b] = [await context.newPage(), await context.newPage()];
    await openEditor(a, project.id, imageId);
    await openEditor(b, project.id, imageId);

    const mineA = await drawPolygon(a, [[20, 20], [120, 20], [70, 110]]);
    await serverUntil(imageId, (s) => s.annotations.length === 1, "tab A's polygon");
    const mineB = await drawPolygon(b, [[250, 200], [400, 220], [300, 350]]);
    await b.waitForSelector('[aria-label="Save state"][data-save-state="conflict"]');
    const dialog = b.getByRole('dialog', { name: 'Someone else saved this image' });
    await dialog.waitFor();
    expect((await annotations(imageId)).annotations).toHaveLength(1);
    await dialog.getByRole('button', { name: 'Keep both' }).click();
    const both = await serverUntil(imageId, (s) => s.annotations.length === 2, 'both polygons');
    expect(both.annotations.some((x) => ringNear(x.polygons[0]!, mineA))).toBe(true);
    expect(both.annotations.some((x) => ringNear(x.polygons[0]!, mineB))).toBe(true);
    await b.waitForSelector('[aria-label="Save state"][data-save-state="saved"]');

    // Tab A is now stale too: its next edit conflicts, and loading the server's version shows both.
    const third = await drawPolygon(a, [[300, 20], [450, 30], [380, 120]]);
    await a.waitForSelector('[aria-label="Save state"][data-save-state="conflict"]');
    await a.getByRole('dialog').getByRole('button', { name: 'Keep both' }).click();
    const all = await serverUntil(imageId, (s) => s.annotations.length === 3, 'three polygons');
    for (const p of [mineA, mineB, third]) expect(all.annotations.some((x) => ringNear(x.polygons[0]!, p))).toBe(true);
    await context.close();
  });

  it('keeps edits made offline and saves them when the connection returns, also after the tab was closed', async () => {
    const project = await newProject('Editor offline');
    const imageId = await upload(project.id, await photo(500, 400, 3), 'offline.jpg');
    const context = await newContext();
    let page = await context.newPage();
    await openEditor(page, project.id, imageId);

    await context.setOffline(true);
    const first = await drawPolygon(page, [[30, 30], [200, 40], [100, 180]]);
    await page.waitForSelector('[aria-label="Save state"][data-save-state="offline"]');
    expect(await page.evaluate((id) => localStorage.getItem(`segmenta:editor:pending:${id}`), imageId)).toContain('"polygons"');
    expect((await annotations(imageId)).annotations).toHaveLength(0);
    await context.setOffline(false);
    const saved = await serverUntil(imageId, (s) => s.annotations.length === 1, 'queued polygon saved');
    expectRing(saved.annotations[0]!.polygons[0], first);
    await page.waitForSelector('[aria-label="Save state"][data-save-state="saved"]');

    // Offline again, then the tab goes away before the connection returns.
    await context.setOffline(true);
    const second = await drawPolygon(page, [[250, 250], [450, 260], [350, 380]]);
    await page.waitForSelector('[aria-label="Save state"][data-save-state="offline"]');
    await page.close();
    await context.setOffline(false);
    expect((await annotations(imageId)).annotations).toHaveLength(1);
    page = await context.newPage();
    await page.goto(`${base}/projects/${project.id}/images/${imageId}`);
    const restored = await serverUntil(imageId, (s) => s.annotations.length === 2, 'restored local edits saved');
    expect(restored.annotations.some((x) => ringNear(x.polygons[0]!, first))).toBe(true);
    expect(restored.annotations.some((x) => ringNear(x.polygons[0]!, second))).toBe(true);
    await page.waitForSelector('[aria-label="Save state"][data-save-state="saved"]');
    expect(await page.evaluate((id) => localStorage.getItem(`segmenta:editor:pending:${id}`), imageId)).toBeNull();
    await context.close();
  });
});
