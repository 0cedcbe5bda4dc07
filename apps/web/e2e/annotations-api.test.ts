import sharp from 'sharp';
import { describe, expect, inject, it } from 'vitest';
import { apiErrorSchema, type ImageAnnotationsDto, type ImageNeighboursDto, type ProjectDto, type SavedAnnotationsDto, type UploadResultDto } from '@segmenta/contracts';

const base = inject('baseUrl');
const json = { 'content-type': 'application/json' };

async function project(): Promise<ProjectDto> {
  const res = await fetch(`${base}/api/projects`, { method: 'POST', headers: json, body: JSON.stringify({ name: `Annotations API ${Date.now()}`, classes: [{ name: 'car' }, { name: 'person' }] }) });
  expect(res.status).toBe(201);
  return (await res.json()) as ProjectDto;
}

async function uploadImages(projectId: string, n: number): Promise<string[]> {
  const form = new FormData();
  for (let i = 0; i < n; i++) {
    const bytes = await sharp({ create: { width: 200 + i, height: 100, channels: 3, background: { r: (Date.now() + i * 37) % 255, g: i * 20, b: 7 } } }).png().toBuffer();
    form.append('files', new Blob([new Uint8Array(bytes)]), `img-${i}.png`);
  }
  const res = await fetch(`${base}/api/projects/${projectId}/images`, { method: 'POST', body: form });
  const body = (await res.json()) as UploadResultDto;
  expect(body.errors).toEqual([]);
  return body.images.map((i) => i.id);
}

const put = (imageId: string, body: unknown) => fetch(`${base}/api/images/${imageId}/annotations`, { method: 'PUT', headers: json, body: typeof body === 'string' ? body : JSON.stringify(body) });
const get = async (imageId: string) => (await (await fetch(`${base}/api/images/${imageId}/annotations`)).json()) as ImageAnnotationsDto;
const errorOf = async (res: Response) => apiErrorSchema.parse(await res.json()).error;

describe('annotations API', () => {
  it('round-trips polygons with server bbox/area, versions each save, and answers a stale save with 409', async () => {
    const p = await project();
    const [imageId] = await uploadImages(p.id, 1);
    const empty = await get(imageId!);
    expect(empty).toMatchObject({ version: 0, width: 200, height: 100, status: 'unlabelled', annotations: [] });

    const ring = [10.25, 10.5, 60, 10, 60, 50, 10, 50];
    const res = await put(imageId!, { version: 0, annotations: [{ className: 'car', polygons: [ring, [100, 10, 120, 10, 110, 30]] }] });
    expect(res.status).toBe(200);
    const saved = (await res.json()) as SavedAnnotationsDto;
    expect(saved.version).toBe(1);
    expect(saved.annotations[0]).toMatchObject({ className: 'car', classId: p.classes[0]!.id, polygons: [ring, [100, 10, 120, 10, 110, 30]], iscrowd: 0, source: 'manual', flags: [] });
    expect(saved.annotations[0]!.bbox).toEqual([10, 10, 110, 40]);
    expect(saved.annotations[0]!.area).toBeGreaterThan(1900);
    expect((await get(imageId!)).annotations).toEqual(saved.annotations);

    const stale = await put(imageId!, { version: 0, annotations: [] });
    expect(stale.status).toBe(409);
    expect((await errorOf(stale)).details).toEqual([{ path: 'version', message: 'is 0; the current version is 1' }]);
    expect((await get(imageId!)).annotations).toHaveLength(1);
  });

  it('refuses bad input with the JSON path of each problem and stores nothing', async () => {
    const p = await project();
    const [imageId] = await uploadImages(p.id, 1);
    const cases: [unknown, string, RegExp][] = [
      [{ version: 0, annotations: [{ classId: p.classes[0]!.id, polygons: [[0, 0, 10, 0, null, 10]] }] }, 'annotations[0].polygons[0][4]', /finite number/],
      ['{"version":0,"annotations":[{"className":"car","polygons":[[0,0,10,0,1e999,10]]}]}', 'annotations[0].polygons[0][4]', /finite number/],
      [{ version: 0, annotations: [{ className: 'car', polygons: [[0, 0, 10, 0, 10, 10, 5]] }] }, 'annotations[0].polygons[0]', /even number/],
      [{ version: 0, annotations: [{ className: 'car', polygons: [[0, 0, 10, 0]] }] }, 'annotations[0].polygons[0]', /at least 3 points/],
      [{ version: 0, annotations: [{ className: 'car', classId: p.classes[0]!.id, polygons: [[0, 0, 10, 0, 10, 10]] }] }, 'annotations[0].classId', /exactly one/],
      [{ version: 0, annotations: [{ className: 'car', polygons: [Array.from({ length: 20_002 }, (_, i) => (i % 4 < 2 ? i : 0))] }] }, 'annotations[0].polygons', /10001 vertices; at most 10000/],
      [{ version: 0, annotations: [{ className: 'bicycle', polygons: [[0, 0, 10, 0, 10, 10]] }] }, 'annotations[0].className', /no class named "bicycle"/],
      [{ version: 0, annotations: [{ className: 'car', polygons: [[0, 0, 10, 0, 10, 10]] }, { className: 'car', polygons: [[5, 5, 5, 5, 5, 5]] }] }, 'annotations[1].polygons[0]', /1 distinct point/],
      [{ version: 0, annotations: [{ className: 'car', polygons: [[300, 300, 400, 300, 400, 400]] }] }, 'annotations[0].polygons[0]', /outside the 200×100 image/],
      [{ version: 0, annotations: [], extra: true }, '(root)', /Unrecognized key/],
    ];
    for (const [body, path, message] of cases) {
      const res = await put(imageId!, body);
      expect(res.status, JSON.stringify(body).slice(0, 120)).toBe(400);
      const error = await errorOf(res);
      expect(error.details.find((d) => d.path === path)?.message, `${path} in ${JSON.stringify(error.details)}`).toMatch(message);
    }
    expect(await get(imageId!)).toMatchObject({ version: 0, annotations: [] });
    expect((await fetch(`${base}/api/images/not-a-uuid/annotations`)).status).toBe(400);
    expect((await fetch(`${base}/api/images/00000000-0000-4000-8000-000000000000/annotations`)).status).toBe(404);
    expect((await put('00000000-0000-4000-8000-000000000000', { version: 0, annotations: [] })).status).toBe(404);
  });

  it('tells the client which points it clamped and which polygons cross themselves', async () => {
    const p = await project();
    const [imageId] = await uploadImages(p.id, 1);
    const res = await put(imageId!, { version: 0, annotations: [{ className: 'car', polygons: [[-10, -10, 250, 0, 100, 90]] }, { className: 'person', polygons: [[0, 0, 20, 20, 20, 0, 0, 20]] }] });
    expect(res.status).toBe(200);
    const saved = (await res.json()) as SavedAnnotationsDto;
    expect(saved.annotations[0]!.polygons).toEqual([[0, 0, 200, 0, 100, 90]]);
    expect(saved.annotations[1]!.flags).toEqual(['self_intersecting']);
    expect(saved.warnings).toEqual([
      { path: 'annotations[0].polygons[0]', message: 'points outside the 200×100 image were moved onto its edge' },
      { path: 'annotations[1].polygons[0]', message: 'polygon crosses itself; saved and flagged so it can be fixed' },
    ]);
  });

  it('moves an image through done, rejection with a comment and acceptance, and walks neighbours', async () => {
    const p = await project();
    const ids = await uploadImages(p.id, 3);
    const status = (imageId: string, body: unknown) => fetch(`${base}/api/images/${imageId}/status`, { method: 'PUT', headers: json, body: JSON.stringify(body) });
    const first = ids[0]!;
    expect((await status(first, { status: 'reviewed' })).status).toBe(409);
    const noComment = await status(first, { status: 'rejected' });
    expect(noComment.status).toBe(400);
    expect((await errorOf(noComment)).details).toEqual([{ path: 'comment', message: 'say why the image is rejected' }]);
    expect((await status(first, { status: 'finished' })).status).toBe(400);
    expect((await status(first, { status: 'done' })).status).toBe(200);
    expect(await (await status(first, { status: 'rejected', comment: 'missed the bench' })).json()).toEqual({ status: 'rejected', reviewComment: 'missed the bench' });
    expect((await get(first)).reviewComment).toBe('missed the bench');

    const gallery = (await (await fetch(`${base}/api/projects/${p.id}/images`)).json()) as { images: { id: string }[] };
    const order = gallery.images.map((i) => i.id);
    const middle = (await (await fetch(`${base}/api/images/${order[1]}/neighbours`)).json()) as ImageNeighboursDto;
    expect(middle).toMatchObject({ previous: order[0], next: order[2], position: 2, total: 3 });
    expect([order[0], order[2]]).toContain(middle.nextUnlabelled);
    expect((await fetch(`${base}/api/images/${order[1]}/neighbours?status=bogus`)).status).toBe(400);
  });
});
