import { existsSync } from 'node:fs';
import { crc32, deflateSync } from 'node:zlib';
import { strToU8, zipSync } from 'fflate';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { apiErrorSchema, loadServerEnv, type ImageDto, type ProjectDto, type UploadResultDto } from '@segmenta/contracts';
import { createDb, LocalBlobStore, type Db } from '@segmenta/db';

const base = inject('baseUrl');
const env = loadServerEnv();
let db: Db;
const store = new LocalBlobStore(env.DATA_DIR);

beforeAll(() => {
  db = createDb(env.DATABASE_URL);
});
afterAll(async () => {
  await db.$disconnect();
});

async function newProject(name: string, classes?: { name: string }[]): Promise<ProjectDto> {
  const res = await fetch(`${base}/api/projects`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: `${name} ${Date.now()}`, ...(classes ? { classes } : {}) }) });
  expect(res.status).toBe(201);
  return (await res.json()) as ProjectDto;
}

async function upload(projectId: string, files: { name: string; bytes: Uint8Array }[]) {
  const form = new FormData();
  for (const f of files) form.append('files', new Blob([new Uint8Array(f.bytes)]), f.name);
  const res = await fetch(`${base}/api/projects/${projectId}/images`, { method: 'POST', body: form });
  return { status: res.status, body: (await res.json()) as UploadResultDto };
}

const png = (w: number, h: number, color: string) => sharp({ create: { width: w, height: h, channels: 3, background: color } }).png().toBuffer();
/** A colour no earlier run used, so blobs are not shared with leftovers and orphan checks mean something. */
const freshColor = () => `#${crypto.getRandomValues(new Uint8Array(3)).reduce((s, b) => s + b.toString(16).padStart(2, '0'), '')}`;

/** A PNG whose header claims a huge size but holds almost no data: a decompression bomb. */
function pngHeaderOnly(width: number, height: number): Uint8Array {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 0, 0, 0, 0], 8); // 8-bit grayscale
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.alloc(1024))), chunk('IEND', Buffer.alloc(0))]);
}

describe('image upload', () => {
  it('stores good files and gives each bad file its own precise error', async () => {
    const p = await newProject('Upload');
    const good = await png(64, 48, '#336699');
    const jpeg = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#884422' } }).jpeg().toBuffer();
    const longName = `${'ü'.repeat(300)}.png`;
    const { status, body } = await upload(p.id, [
      { name: 'good.png', bytes: good },
      { name: 'again.png', bytes: good },
      { name: 'photo.jpg', bytes: jpeg.subarray(0, jpeg.length - 200) },
      { name: 'notes.jpg', bytes: strToU8('just some text, renamed') },
      { name: 'empty.png', bytes: new Uint8Array() },
      { name: 'drawing.svg', bytes: strToU8('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>') },
      { name: 'page.html', bytes: strToU8('<!doctype html><html><body>hi</body></html>') },
      { name: 'bomb.png', bytes: pngHeaderOnly(30_000, 30_000) },
      { name: 'huge.bin', bytes: new Uint8Array(50 * 1024 * 1024 + 1) },
      { name: longName, bytes: await png(10, 10, '#ff0000') },
    ]);
    expect(status).toBe(201);
    const errors = Object.fromEntries(body.errors.map((e) => [e.fileName, e.message]));
    expect(errors['notes.jpg']).toMatch(/not a readable image/);
    expect(errors['empty.png']).toBe('the file is empty');
    expect(errors['drawing.svg']).toMatch(/unsupported image type "svg"/);
    expect(errors['page.html']).toMatch(/not a readable image|unsupported/);
    expect(errors['bomb.png']).toMatch(/30000×30000 pixels; the limit is 100000000 pixels/);
    expect(errors['huge.bin']).toMatch(/the limit is 52428800/);
    expect(errors['photo.jpg']).toMatch(/could not be decoded|not a readable image/);
    expect(body.images.map((i) => i.fileName)).toEqual(['good.png', 'again.png', expect.stringMatching(/^ü+\.png$/)]);
    expect(body.images[1]!.duplicateOf).toBe(body.images[0]!.id);
    expect(body.images[2]!.fileName.length).toBeLessThanOrEqual(255);
    // Only the two distinct images became rows; nothing of the failed files reached the database.
    expect(await db.image.count({ where: { projectId: p.id } })).toBe(2);
  });

  it('applies EXIF orientations 1–8 so width and height are what the photographer saw', async () => {
    const p = await newProject('EXIF');
    const files = await Promise.all(
      [1, 2, 3, 4, 5, 6, 7, 8].map(async (o) => ({
        name: `o${o}.jpg`,
        bytes: await sharp({ create: { width: 40 + o, height: 20, channels: 3, background: '#00aa00' } }).jpeg().withMetadata({ orientation: o }).toBuffer(),
      })),
    );
    const { body } = await upload(p.id, files);
    expect(body.errors).toEqual([]);
    for (const img of body.images) {
      const o = Number(img.fileName.slice(1, 2));
      expect([img.width, img.height]).toEqual(o >= 5 ? [20, 40 + o] : [40 + o, 20]);
    }
    const stored = await fetch(`${base}/api/images/${body.images.find((i) => i.fileName === 'o6.jpg')!.id}/file?variant=web`);
    const meta = await sharp(Buffer.from(await stored.arrayBuffer())).metadata();
    expect([meta.width, meta.height]).toEqual([20, 46]);
  });

  it('unpacks zips, and refuses path escapes and zip bombs', async () => {
    const p = await newProject('Zip');
    const [a, b] = await Promise.all([png(20, 20, '#111111'), png(30, 20, '#222222')]);
    const folder = zipSync({ 'photos/a.png': a, 'photos/sub/b.png': b, '__MACOSX/._a.png': strToU8('x') }, { level: 0 });
    const escape = zipSync({ 'ok.png': a, '../evil.png': b }, { level: 0 });
    const bomb = zipSync({ 'zeros.png': new Uint8Array(40 * 1024 * 1024) }, { level: 9 });
    const { body } = await upload(p.id, [
      { name: 'folder.zip', bytes: folder },
      { name: 'escape.zip', bytes: escape },
      { name: 'bomb.zip', bytes: bomb },
    ]);
    expect(body.images.map((i) => i.fileName).sort()).toEqual(['a.png', 'b.png']);
    const errors = Object.fromEntries(body.errors.map((e) => [e.fileName, e.message]));
    expect(errors['escape.zip']).toBe('zip refused: entry "../evil.png" points outside the archive');
    expect(errors['bomb.zip']).toMatch(/zip bomb/);
  });

  it('reports already-stored files so an interrupted batch resumes without re-sending them', async () => {
    const p = await newProject('Resume');
    const img = await png(12, 12, '#abcdef');
    const { body } = await upload(p.id, [{ name: 'x.png', bytes: img }]);
    const sha = (await db.image.findUniqueOrThrow({ where: { id: body.images[0]!.id } })).sha256;
    const res = await fetch(`${base}/api/projects/${p.id}/images/check`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sha256: [sha, 'f'.repeat(64)] }) });
    expect(await res.json()).toEqual({ existing: { [sha]: body.images[0]!.id } });
  });
});

describe('gallery listing, splits, classes and deletion', () => {
  it('pages with a keyset cursor, filters, splits reproducibly, and deletes without orphans', async () => {
    const p = await newProject('Gallery', [{ name: 'cat' }, { name: 'dog' }]);
    const files = await Promise.all(Array.from({ length: 12 }, async (_, i) => ({ name: `g${i}.png`, bytes: await png(16 + i, 16, freshColor()) })));
    const { body } = await upload(p.id, files);
    expect(body.images).toHaveLength(12);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: Response = await fetch(`${base}/api/projects/${p.id}/images?limit=5${cursor ? `&cursor=${cursor}` : ''}`);
      const page = (await res.json()) as { images: ImageDto[]; nextCursor: string | null };
      seen.push(...page.images.map((i) => i.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(12);
    expect(new Set(seen).size).toBe(12);
    const bad = await fetch(`${base}/api/projects/${p.id}/images?cursor=bm9wZQ`);
    expect(bad.status).toBe(400);
    expect(apiErrorSchema.parse(await bad.json()).error.details[0]!.path).toBe('cursor');

    // Annotate a few images so the split has classes to stratify by.
    const [cat, dog] = p.classes;
    const ann = { polygons: [[0, 0, 5, 0, 5, 5]], bboxX: 0, bboxY: 0, bboxW: 5, bboxH: 5, area: 12.5 };
    await db.annotation.createMany({ data: seen.slice(0, 6).map((imageId, i) => ({ ...ann, imageId, labelClassId: (i % 2 ? dog : cat)!.id })) });

    const split = async () => {
      const res = await fetch(`${base}/api/projects/${p.id}/splits`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ train: 0.5, val: 0.25, test: 0.25, seed: 7 }) });
      expect(res.status).toBe(200);
      return Object.fromEntries((await db.image.findMany({ where: { projectId: p.id }, select: { id: true, split: true } })).map((r) => [r.id, r.split]));
    };
    const first = await split();
    expect(await split()).toEqual(first);
    const counts = Object.values(first).reduce<Record<string, number>>((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), {});
    expect(counts).toEqual({ train: 6, val: 3, test: 3 });
    const catImages = seen.slice(0, 6).filter((_, i) => i % 2 === 0);
    expect(new Set(catImages.map((id) => first[id])).size).toBeGreaterThan(1);

    const valOnly = (await (await fetch(`${base}/api/projects/${p.id}/images?split=val`)).json()) as { images: ImageDto[] };
    expect(valOnly.images).toHaveLength(3);
    const dogOnly = (await (await fetch(`${base}/api/projects/${p.id}/images?classId=${dog!.id}`)).json()) as { images: ImageDto[] };
    expect(dogOnly.images.map((i) => i.id).sort()).toEqual(seen.slice(0, 6).filter((_, i) => i % 2 === 1).sort());

    const manual = await fetch(`${base}/api/projects/${p.id}/splits`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ imageIds: seen.slice(0, 2), split: 'test' }) });
    expect((await manual.json()).updated).toBe(2);

    // Classes: a duplicate name conflicts, a class in use is not deleted silently, merge moves annotations.
    const post = (path: string, body: unknown, method = 'POST') => fetch(`${base}${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post(`/api/projects/${p.id}/classes`, { name: 'cat' })).status).toBe(409);
    const bird = await (await post(`/api/projects/${p.id}/classes`, { name: 'bird', hotkey: '3' })).json();
    expect(bird.order).toBe(2);
    expect((await post(`/api/classes/${bird.id}`, { name: 'parrot' }, 'PATCH')).status).toBe(200);
    const inUse = await fetch(`${base}/api/classes/${dog!.id}`, { method: 'DELETE' });
    expect(inUse.status).toBe(409);
    expect(apiErrorSchema.parse(await inUse.json()).error.message).toMatch(/used by 3 annotation/);
    expect(await (await post(`/api/classes/${dog!.id}/merge`, { into: cat!.id })).json()).toEqual({ moved: 3 });
    expect(await db.annotation.count({ where: { labelClassId: cat!.id } })).toBe(6);
    expect(await (await fetch(`${base}/api/classes/${cat!.id}?annotations=delete`, { method: 'DELETE' })).json()).toEqual({ deletedAnnotations: 6 });

    // Deleting an image removes its row and its files; deleting the project removes the rest.
    const one = await db.image.findUniqueOrThrow({ where: { id: seen[0]! } });
    expect((await fetch(`${base}/api/images/${one.id}`, { method: 'DELETE' })).status).toBe(204);
    expect(await db.image.count({ where: { id: one.id } })).toBe(0);
    for (const key of [one.originalKey, one.webKey, one.thumbKey]) expect(existsSync(store.pathOf(key))).toBe(false);
    const rest = await db.image.findMany({ where: { projectId: p.id } });
    expect((await fetch(`${base}/api/projects/${p.id}`, { method: 'DELETE' })).status).toBe(204);
    expect(await db.image.count({ where: { projectId: p.id } })).toBe(0);
    for (const r of rest) for (const key of [r.originalKey, r.webKey, r.thumbKey]) expect(existsSync(store.pathOf(key))).toBe(false);
    expect((await fetch(`${base}/api/projects/${p.id}`)).status).toBe(404);
  });

  it('keeps files another project still uses', async () => {
    const img = await png(18, 18, freshColor());
    const [p1, p2] = await Promise.all([newProject('Shared A'), newProject('Shared B')]);
    await upload(p1.id, [{ name: 's.png', bytes: img }]);
    await upload(p2.id, [{ name: 's.png', bytes: img }]);
    const row = await db.image.findFirstOrThrow({ where: { projectId: p2.id } });
    expect((await fetch(`${base}/api/projects/${p1.id}`, { method: 'DELETE' })).status).toBe(204);
    expect(existsSync(store.pathOf(row.originalKey))).toBe(true);
    expect((await fetch(`${base}/api/images/${row.id}/file?variant=original`)).status).toBe(200);
  });
});
