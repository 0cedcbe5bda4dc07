import http from 'node:http';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { apiErrorSchema, loadServerEnv, type ProjectDto } from '@segmenta/contracts';
import { createDb, type Db } from '@segmenta/db';
import { freePort, startWeb, TEST_ADMIN, waitForHttp, type Proc } from './servers';

// Large imports (issue #6): the multipart body streams to disk under limits, so a 1 GB annotations
// file is refused with a 413 while the server's memory stays flat and nothing is left behind. Image
// uploads and try-it predictions stream the same way under UPLOAD_MAX_BYTES.
// A server of our own, so its process memory and its temp dir can be watched.

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
const IMAGES_LIMIT = MiB;
const UPLOAD_LIMIT = MiB;
const BOUNDARY = '----segmenta-import-limits';
const sharedBase = inject('baseUrl');
let web: Proc;
let base: string;
let tmp: string;
let db: Db;

beforeAll(async () => {
  db = createDb(loadServerEnv().DATABASE_URL);
  tmp = mkdtempSync(path.join(os.tmpdir(), 'import-limits-'));
  const port = await freePort();
  // Default annotations limit (256 MiB); a small images limit so that one is cheap to reach.
  web = startWeb(port, { TMPDIR: tmp, IMPORT_MAX_IMAGES_BYTES: String(IMAGES_LIMIT), UPLOAD_MAX_BYTES: String(UPLOAD_LIMIT) });
  base = `http://127.0.0.1:${port}`;
  await waitForHttp(`${base}/api/projects`, web);
});
afterAll(async () => {
  await web?.stop();
  await db.$disconnect();
  rmSync(tmp, { recursive: true, force: true });
});

/** The web server process and its children: VmHWM (peak resident) and VmRSS in bytes. */
function memory(pid: number): { hwm: number; rss: number } {
  const children = (p: number): number[] => {
    try {
      return readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number).flatMap((c) => [c, ...children(c)]);
    } catch {
      return [];
    }
  };
  let hwm = 0, rss = 0;
  for (const p of [pid, ...children(pid)]) {
    const status = readFileSync(`/proc/${p}/status`, 'utf8');
    hwm += Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) * 1024;
    rss += Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
  }
  return { hwm, rss };
}

const leftovers = () => readdirSync(tmp).filter((f) => f.startsWith('segmenta-multipart-'));

function partHead(name: string, fileName: string, type: string): string {
  return `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"; filename="${fileName}"\r\nContent-Type: ${type}\r\n\r\n`;
}

/** A multipart body of `size` bytes of JSON-ish filler, made as it is read: never held in memory. */
function hugeBody(size: number, counter: { sent: number; stop: boolean }): Readable {
  const head = Buffer.from(partHead('annotations', 'huge.json', 'application/json') + '{"images":[');
  const tail = Buffer.from(`0]}\r\n--${BOUNDARY}--\r\n`);
  const filler = Buffer.alloc(MiB, '0,');
  let left = size;
  let headSent = false;
  return new Readable({
    read() {
      if (counter.stop) return; // the answer is in: send nothing more
      let chunk = tail;
      if (!headSent) [chunk, headSent] = [head, true];
      else if (left > 0) {
        chunk = filler.subarray(0, Math.min(left, filler.length));
        left -= chunk.length;
      }
      counter.sent += chunk.length;
      this.push(chunk);
      if (chunk === tail) this.push(null);
    },
  });
}

/** POST through node:http, which (unlike fetch) hands over the answer while the body is still going out. */
function post(url: string, headers: Record<string, string>, body: Readable | null, onResponse?: () => void): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { authorization: `Bearer ${TEST_ADMIN.token}`, 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, ...headers } });
    req.on('response', (res) => {
      onResponse?.();
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => {
        resolve({ status: res.statusCode!, text });
        req.destroy();
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body) body.pipe(req);
    else req.write(partHead('annotations', 'a.json', 'application/json')); // headers and a little: the answer must not wait for more
  });
}

async function projectWithOneAnnotation(url: string): Promise<ProjectDto> {
  const project = (await (await fetch(`${url}/api/projects`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: `Import limits ${Date.now()}`, classes: [{ name: 'blob' }] }) })).json()) as ProjectDto;
  await db.image.create({ data: { projectId: project.id, sha256: `${Date.now()}`.padStart(64, 'f'), fileName: 'one.jpg', mimeType: 'image/jpeg', width: 100, height: 80, sizeBytes: 1, originalKey: 'o', webKey: 'w', thumbKey: 't' } });
  const coco = { images: [{ id: 1, file_name: 'one.jpg', width: 100, height: 80 }], categories: [{ id: 1, name: 'blob' }], annotations: [{ id: 1, image_id: 1, category_id: 1, segmentation: [[10, 10, 50, 10, 50, 40]], bbox: [10, 10, 40, 30], area: 600, iscrowd: 0 }] };
  const form = new FormData();
  form.append('annotations', new Blob([JSON.stringify(coco)]), 'a.json');
  const res = await fetch(`${url}/api/projects/${project.id}/import?format=coco`, { method: 'POST', body: form });
  expect(res.status).toBe(201);
  return project;
}

const counts = async (projectId: string) => ({
  images: await db.image.count({ where: { projectId } }),
  annotations: await db.annotation.count({ where: { image: { projectId } } }),
  classes: await db.labelClass.count({ where: { projectId } }),
});

describe('import body limits', () => {
  it('refuses a 1 GB annotations file with a 413 once the limit is passed, streaming it: flat memory, nothing stored, no temp files', async () => {
    const project = await projectWithOneAnnotation(base); // also loads the route, so the baseline includes it
    const before = await counts(project.id);
    const pid = web.child.pid!;
    const mem0 = memory(pid);
    const counter = { sent: 0, stop: false };
    let sawTempDir = false;
    const watch = setInterval(() => (sawTempDir ||= leftovers().length > 0), 50);
    let sentAtAnswer = 0;
    const res = await post(`${base}/api/projects/${project.id}/import?format=coco`, { 'transfer-encoding': 'chunked' }, hugeBody(GiB, counter), () => {
      counter.stop = true;
      sentAtAnswer = counter.sent;
    }).finally(() => clearInterval(watch));
    const mem1 = memory(pid);

    console.info(`1 GB import: answered after ${(sentAtAnswer / MiB).toFixed(0)} MiB sent; server VmHWM ${(mem0.hwm / 1e6).toFixed(0)} -> ${(mem1.hwm / 1e6).toFixed(0)} MB, VmRSS ${(mem0.rss / 1e6).toFixed(0)} -> ${(mem1.rss / 1e6).toFixed(0)} MB`);
    expect(res.status).toBe(413);
    const body = apiErrorSchema.parse(JSON.parse(res.text));
    expect(body.error.message).toMatch(/"annotations" part is larger than 268435456 bytes \(256 MiB\), the limit set by IMPORT_MAX_ANNOTATIONS_BYTES/);
    expect(body.error.details[0]!.path).toBe('annotations');
    // The server stopped it: the answer came after the limit and well before the end of the 1 GB.
    expect(sentAtAnswer).toBeGreaterThan(256 * MiB);
    expect(sentAtAnswer).toBeLessThan(320 * MiB);
    expect(sawTempDir).toBe(true); // it went to disk, not to memory
    expect(mem1.hwm - mem0.hwm).toBeLessThan(200 * 1000 * 1000);
    expect(await counts(project.id)).toEqual(before);
    expect(leftovers()).toEqual([]);
  });

  it('refuses a declared Content-Length over the limits before reading the body', async () => {
    const project = await projectWithOneAnnotation(base);
    const before = await counts(project.id);
    const refused = await post(`${base}/api/projects/${project.id}/import?format=coco`, { 'content-length': String(2 * GiB) }, null);
    expect(refused.status).toBe(413);
    expect(apiErrorSchema.parse(JSON.parse(refused.text)).error.message).toMatch(/^Body is 2147483648 bytes \(Content-Length\); this route takes at most \d+: "annotations" up to 268435456 bytes \(IMPORT_MAX_ANNOTATIONS_BYTES\), "images" up to 1048576 bytes \(IMPORT_MAX_IMAGES_BYTES\)/);
    expect(await counts(project.id)).toEqual(before);
    expect(leftovers()).toEqual([]);
  });

  it('caps the images sent along (IMPORT_MAX_IMAGES_BYTES) with nothing stored', async () => {
    const project = await projectWithOneAnnotation(base);
    const before = await counts(project.id);
    const form = new FormData();
    form.append('annotations', new Blob(['{"images":[],"annotations":[],"categories":[]}']), 'a.json');
    form.append('images', new Blob([new Uint8Array(IMAGES_LIMIT / 2)]), 'a.jpg');
    form.append('images', new Blob([new Uint8Array(IMAGES_LIMIT / 2 + 1)]), 'b.jpg');
    const res = await fetch(`${base}/api/projects/${project.id}/import?format=coco`, { method: 'POST', body: form });
    expect(res.status).toBe(413);
    expect(apiErrorSchema.parse(await res.json()).error.message).toMatch(/"images" parts are together larger than 1048576 bytes \(1 MiB\), the limit set by IMPORT_MAX_IMAGES_BYTES/);
    expect(await counts(project.id)).toEqual(before);
    expect(leftovers()).toEqual([]);
  });

  it('removes the temp files when the client goes away mid-upload, with nothing stored', async () => {
    const project = await projectWithOneAnnotation(base);
    const before = await counts(project.id);
    const req = http.request(`${base}/api/projects/${project.id}/import?format=coco`, { method: 'POST', headers: { authorization: `Bearer ${TEST_ADMIN.token}`, 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, 'transfer-encoding': 'chunked' } });
    req.on('error', () => undefined); // destroyed on purpose
    req.write(partHead('annotations', 'a.json', 'application/json') + '{"images":[');
    const filler = Buffer.alloc(MiB, '0,');
    for (let i = 0; i < 8; i++) req.write(filler);
    const waitFor = async (ok: () => boolean, what: string) => {
      for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 25));
      expect(ok(), what).toBe(true);
    };
    await waitFor(() => leftovers().length > 0, 'the upload reached a temp dir');
    req.destroy();
    await waitFor(() => leftovers().length === 0, 'the temp dir was removed');
    expect(await counts(project.id)).toEqual(before);
  });

  it('answers a missing, duplicated or unreadable annotations part with a precise 400', async () => {
    const project = await projectWithOneAnnotation(sharedBase);
    const url = `${sharedBase}/api/projects/${project.id}/import?format=coco`;
    const twice = new FormData();
    for (let i = 0; i < 2; i++) twice.append('annotations', new Blob(['{}']), `a${i}.json`);
    const dup = await fetch(url, { method: 'POST', body: twice });
    expect(dup.status).toBe(400);
    expect(apiErrorSchema.parse(await dup.json()).error.message).toBe('Invalid import: annotations: attach exactly one "annotations" part (got 2)');

    const none = new FormData();
    none.append('annotations', '{"images":[]}'); // a text field, not a file
    const missing = await fetch(url, { method: 'POST', body: none });
    expect(missing.status).toBe(400);
    expect(apiErrorSchema.parse(await missing.json()).error.message).toMatch(/attach the JSON file as the "annotations" part/);

    const noBoundary = await fetch(url, { method: 'POST', headers: { 'content-type': 'multipart/form-data' }, body: 'x' });
    expect(noBoundary.status).toBe(400);
    expect(apiErrorSchema.parse(await noBoundary.json()).error.message).toMatch(/^The multipart body could not be read: /);

    const cut = await fetch(url, { method: 'POST', headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` }, body: `${partHead('annotations', 'a.json', 'application/json')}{"images":` });
    expect(cut.status).toBe(400);
    expect(apiErrorSchema.parse(await cut.json()).error.message).toMatch(/^The multipart body could not be read: /);
    expect(await counts(project.id)).toEqual({ images: 1, annotations: 1, classes: 1 });
  });
});

describe('upload and predict body limits (UPLOAD_MAX_BYTES)', () => {
  const png = async () => new Uint8Array(await sharp({ create: { width: 40, height: 30, channels: 3, background: { r: Date.now() % 255, g: 90, b: 9 } } }).png().toBuffer());

  it('stores an upload under the limit and refuses one over it with a 413 naming the setting, nothing stored', async () => {
    const project = await projectWithOneAnnotation(base);
    const before = await counts(project.id);
    const small = new FormData();
    small.append('files', new Blob([await png()]), 'small.png');
    const ok = await fetch(`${base}/api/projects/${project.id}/images`, { method: 'POST', body: small });
    expect(ok.status).toBe(201);
    expect(await counts(project.id)).toEqual({ ...before, images: before.images + 1 });

    const big = new FormData();
    big.append('files', new Blob([await png()]), 'fits.png');
    big.append('files', new Blob([new Uint8Array(UPLOAD_LIMIT)]), 'too-much.jpg');
    const res = await fetch(`${base}/api/projects/${project.id}/images`, { method: 'POST', body: big });
    expect(res.status).toBe(413);
    expect(apiErrorSchema.parse(await res.json()).error.message).toMatch(/"files" parts are together larger than 1048576 bytes \(1 MiB\), the limit set by UPLOAD_MAX_BYTES; nothing was stored/);
    expect(await counts(project.id)).toEqual({ ...before, images: before.images + 1 });
    expect(leftovers()).toEqual([]);
  });

  it('refuses a try-it image over the limit with a 413 before looking for a model', async () => {
    const form = new FormData();
    form.append('image', new Blob([new Uint8Array(UPLOAD_LIMIT + 1)]), 'huge.png');
    const res = await fetch(`${base}/api/predict`, { method: 'POST', body: form });
    expect(res.status).toBe(413);
    expect(apiErrorSchema.parse(await res.json()).error.message).toMatch(/"image" part is larger than 1048576 bytes \(1 MiB\), the limit set by UPLOAD_MAX_BYTES/);
    expect(leftovers()).toEqual([]);
  });
});
