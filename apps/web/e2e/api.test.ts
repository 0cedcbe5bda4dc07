import { describe, expect, inject, it } from 'vitest';
import { apiErrorSchema, type HealthDto, type ProjectDto } from '@segmenta/contracts';

const base = inject('baseUrl');
const DEMO_ID = '5e9a7d00-0000-4000-8000-00000000de70';

async function json(res: Response) {
  return { status: res.status, body: (await res.json()) as unknown };
}

describe('GET /api/health', () => {
  it('is 200 with database, redis, queue depths and the live worker with its backend', async () => {
    const { status, body } = await json(await fetch(`${base}/api/health`));
    const h = body as HealthDto;
    expect(status).toBe(200);
    expect(h.status).toBe('ok');
    expect(h.database.ok && h.redis.ok).toBe(true);
    expect(Object.keys(h.queues).sort()).toEqual(['inference', 'maintenance', 'training']);
    expect(h.queues.training).toMatchObject({ waiting: expect.any(Number), active: expect.any(Number) });
    expect(h.workers.length).toBeGreaterThanOrEqual(1);
    expect(h.workers[0]!.modelBackend).toBe('wasm');
  });
});

describe('projects API', () => {
  it('creates a project with the default classes and reads it back', async () => {
    const name = `API project ${Date.now()}`;
    const created = await json(await fetch(`${base}/api/projects`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) }));
    expect(created.status).toBe(201);
    const p = created.body as ProjectDto;
    expect(p.classes).toHaveLength(10);
    const got = await json(await fetch(`${base}/api/projects/${p.id}`));
    expect(got.status).toBe(200);
    expect((got.body as ProjectDto).name).toBe(name);
    const list = await json(await fetch(`${base}/api/projects`));
    expect((list.body as { projects: { id: string }[] }).projects.map((x) => x.id)).toContain(p.id);
  });

  it('answers bad input in the shared error shape with the right status', async () => {
    const post = (body: string, type = 'application/json') => fetch(`${base}/api/projects`, { method: 'POST', headers: { 'content-type': type }, body });
    const cases: [Promise<Response>, number, string, string | null][] = [
      [post(JSON.stringify({ name: '' })), 400, 'validation_failed', 'name'],
      [post(JSON.stringify({ name: 'x', classes: [] })), 400, 'validation_failed', 'classes'],
      [post('{"name": '), 400, 'bad_request', null],
      [post('name=x', 'application/x-www-form-urlencoded'), 415, 'unsupported_media_type', null],
      [fetch(`${base}/api/projects/not-a-uuid`), 400, 'validation_failed', 'projectId'],
      [fetch(`${base}/api/projects/00000000-0000-4000-8000-000000000000`), 404, 'not_found', null],
      [fetch(`${base}/api/images/00000000-0000-4000-8000-000000000000/file`), 404, 'not_found', null],
      [fetch(`${base}/api/images/00000000-0000-4000-8000-000000000000/file?variant=huge`), 400, 'validation_failed', 'variant'],
    ];
    for (const [req, status, code, path] of cases) {
      const res = await req;
      const body = apiErrorSchema.parse(await res.json());
      expect([res.status, body.error.code]).toEqual([status, code]);
      expect(body.error.message.length).toBeGreaterThan(5);
      if (path) expect(body.error.details.map((d) => d.path)).toContain(path);
    }
  });

  it('serves the seeded demo project', async () => {
    const { status, body } = await json(await fetch(`${base}/api/projects/${DEMO_ID}`));
    expect(status).toBe(200);
    const demo = body as ProjectDto;
    expect(demo.imageCount).toBe(36);
    expect(demo.splitCounts.train + demo.splitCounts.val + demo.splitCounts.test).toBe(36);
    expect(demo.splitCounts.train).toBeGreaterThan(demo.splitCounts.val);
    expect(demo.annotationCount).toBeGreaterThan(36);
  });
});
