import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { apiErrorSchema, loadServerEnv, type CreatedTokenDto, type ProjectDto, type UploadResultDto } from '@segmenta/contracts';
import { createDb, type Db } from '@segmenta/db';
import { launchChromiumSignedOut, SCREENSHOT_DIR } from './browser';
import { rawFetch, TEST_ADMIN, WEB_DIR } from './servers';

// Users, roles, tokens and hardening (issue #11), through the real server. Every API route is found
// on disk, so a route added later without authentication fails here.

const base = inject('baseUrl');
const env = loadServerEnv();
const json = { 'content-type': 'application/json' };
let db: Db;

interface Route {
  file: string;
  template: string;
  methods: string[];
}

function apiRoutes(): Route[] {
  const root = path.join(WEB_DIR, 'src/app/api');
  const out: Route[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name === 'route.ts') {
        const src = readFileSync(p, 'utf8');
        const methods = [...src.matchAll(/export const (GET|POST|PUT|PATCH|DELETE)\b/g)].map((m) => m[1]!);
        out.push({ file: path.relative(root, p), template: `/api/${path.relative(root, dir)}`, methods });
      }
    }
  };
  walk(root);
  return out;
}

const PUBLIC = new Set(['GET /api/health', 'POST /api/auth/sign-in']);

async function signIn(email: string, password: string): Promise<{ status: number; cookie: string | null }> {
  const res = await rawFetch(`${base}/api/auth/sign-in`, { method: 'POST', headers: json, body: JSON.stringify({ email, password }) });
  const cookie = res.headers.get('set-cookie')?.split(';')[0] ?? null;
  return { status: res.status, cookie };
}

async function userWithToken(role: 'researcher' | 'annotator', tag: string): Promise<{ id: string; email: string; password: string; token: string }> {
  const email = `${tag}-${Date.now()}@segmenta.test`;
  const password = `pw-${tag}-0123456789`;
  const res = await fetch(`${base}/api/users`, { method: 'POST', headers: json, body: JSON.stringify({ email, password, role }) });
  expect(res.status).toBe(201);
  const { id } = (await res.json()) as { id: string };
  const { cookie } = await signIn(email, password);
  const created = await rawFetch(`${base}/api/tokens`, { method: 'POST', headers: { ...json, cookie: cookie!, origin: base }, body: JSON.stringify({ name: 'tests' }) });
  expect(created.status).toBe(201);
  return { id, email, password, token: ((await created.json()) as CreatedTokenDto).token };
}

const as = (token: string) => ({ authorization: `Bearer ${token}` });

let project: ProjectDto;
let ids: Record<string, string>;
let annotator: Awaited<ReturnType<typeof userWithToken>>;
let outsider: Awaited<ReturnType<typeof userWithToken>>;

beforeAll(async () => {
  db = createDb(env.DATABASE_URL);
  const res = await fetch(`${base}/api/projects`, { method: 'POST', headers: json, body: JSON.stringify({ name: `Auth ${Date.now()}` }) });
  project = (await res.json()) as ProjectDto;
  const form = new FormData();
  form.append('files', new Blob([new Uint8Array(await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: Date.now() % 255, g: 3, b: 9 } } }).png().toBuffer())]), 'a.png');
  const image = ((await (await fetch(`${base}/api/projects/${project.id}/images`, { method: 'POST', body: form })).json()) as UploadResultDto).images[0]!;
  const run = await db.trainingRun.create({ data: { projectId: project.id, name: 'auth fixture', config: {}, status: 'completed' } });
  const prediction = await db.prediction.create({
    data: { runId: run.id, imageId: image.id, labelClassId: project.classes[0]!.id, classIndex: 1, score: 0.9, bboxX: 1, bboxY: 1, bboxW: 5, bboxH: 5, maskRle: { size: [48, 64], counts: '0' } },
  });
  annotator = await userWithToken('annotator', 'annotator');
  outsider = await userWithToken('researcher', 'outsider');
  await fetch(`${base}/api/projects/${project.id}/members`, { method: 'PUT', headers: json, body: JSON.stringify({ email: annotator.email, role: 'annotator' }) });
  const adminToken = await db.apiToken.findFirstOrThrow({ where: { user: { email: TEST_ADMIN.email } }, select: { id: true } });
  ids = { projectId: project.id, imageId: image.id, runId: run.id, classId: project.classes[0]!.id, predictionId: prediction.id, tokenId: adminToken.id, userId: annotator.id };
});
afterAll(async () => {
  await db.$disconnect();
});

const fill = (template: string) => template.replace(/\[(\w+)\]/g, (_, k: string) => ids[k] ?? '00000000-0000-4000-8000-000000000000');

describe('every API route', () => {
  it('answers 401 without credentials, except health and sign-in', async () => {
    const routes = apiRoutes();
    expect(routes.length).toBeGreaterThan(30);
    for (const r of routes) {
      for (const m of r.methods) {
        if (PUBLIC.has(`${m} ${r.template}`)) continue;
        const res = await rawFetch(`${base}${fill(r.template)}`, { method: m, headers: json, body: m === 'GET' ? undefined : '{}' });
        expect(res.status, `${m} ${r.template}`).toBe(401);
        expect(apiErrorSchema.parse(await res.json()).error.code).toBe('unauthorized');
      }
    }
  });

  it("answers 404 to a non-member for another project's ids, exactly as for ids that do not exist", async () => {
    const scoped = apiRoutes().filter((r) => /\[(projectId|imageId|runId|classId|predictionId|tokenId)\]/.test(r.template));
    expect(scoped.length).toBeGreaterThan(20);
    for (const r of scoped) {
      for (const m of r.methods) {
        const res = await rawFetch(`${base}${fill(r.template)}`, { method: m, headers: { ...json, ...as(outsider.token) }, body: m === 'GET' ? undefined : '{}' });
        expect(res.status, `${m} ${r.template}`).toBe(404);
      }
    }
    const real = await (await rawFetch(`${base}/api/images/${ids.imageId}`, { headers: as(outsider.token) })).json();
    const fake = await (await rawFetch(`${base}/api/images/00000000-0000-4000-8000-000000000000`, { headers: as(outsider.token) })).json();
    expect(JSON.stringify(real).replace(ids.imageId!, 'ID')).toBe(JSON.stringify(fake).replace('00000000-0000-4000-8000-000000000000', 'ID'));
  });

  it('lets an annotator label and review but not train, export, import, upload or delete (403)', async () => {
    const h = { ...json, ...as(annotator.token) };
    expect((await rawFetch(`${base}/api/projects/${project.id}`, { headers: h })).status).toBe(200);
    const put = await rawFetch(`${base}/api/images/${ids.imageId}/annotations`, { method: 'PUT', headers: h, body: JSON.stringify({ version: 0, annotations: [{ className: project.classes[0]!.name, polygons: [[2, 2, 20, 2, 20, 20]] }] }) });
    expect(put.status).toBe(200);
    const refused: [string, string, unknown][] = [
      ['POST', `/api/projects/${project.id}/runs`, { name: 'x' }],
      ['GET', `/api/projects/${project.id}/export`, undefined],
      ['POST', `/api/projects/${project.id}/import`, {}],
      ['POST', `/api/projects/${project.id}/splits`, {}],
      ['DELETE', `/api/images/${ids.imageId}`, undefined],
      ['DELETE', `/api/projects/${project.id}`, undefined],
      ['POST', `/api/runs/${ids.runId}/cancel`, undefined],
      ['PUT', `/api/projects/${project.id}/members`, { email: annotator.email, role: 'admin' }],
      ['POST', '/api/projects', { name: 'mine' }],
      ['GET', '/api/users', undefined],
      ['GET', '/api/audit', undefined],
      ['PATCH', `/api/projects/${project.id}`, { name: 'renamed' }],
      ['POST', `/api/projects/${project.id}/classes`, { name: 'tree' }],
      ['PATCH', `/api/classes/${ids.classId}`, { name: 'renamed' }],
      ['DELETE', `/api/classes/${ids.classId}`, undefined],
      ['POST', `/api/classes/${ids.classId}/merge`, { into: project.classes[1]!.id }],
      ['POST', `/api/projects/${project.id}/images`, {}],
      ['POST', `/api/projects/${project.id}/images/check`, { sha256: ['0'.repeat(64)] }],
      ['POST', `/api/runs/${ids.runId}/resume`, undefined],
      ['DELETE', `/api/runs/${ids.runId}`, undefined],
      ['POST', `/api/runs/${ids.runId}/predictions`, {}],
      ['DELETE', `/api/projects/${project.id}/members/${annotator.id}`, undefined],
      ['POST', '/api/users', { email: 'x@segmenta.test', password: 'long enough password', role: 'admin' }],
      ['PATCH', `/api/users/${annotator.id}`, { role: 'admin' }],
    ];
    for (const [m, url, body] of refused) {
      const res = await rawFetch(`${base}${url}`, { method: m, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
      expect(res.status, `${m} ${url}`).toBe(403);
      expect(apiErrorSchema.parse(await res.json()).error.message).toMatch(/cannot|needs the/);
    }
    // Try-it with this project's run: the form is read first, then the run's project is checked.
    const form = new FormData();
    form.append('image', new Blob([new Uint8Array(await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } }).png().toBuffer())]), 'x.png');
    form.append('runId', ids.runId!);
    expect((await rawFetch(`${base}/api/predict`, { method: 'POST', headers: as(annotator.token), body: form })).status).toBe(403);
    const projects = (await (await rawFetch(`${base}/api/projects`, { headers: h })).json()) as { projects: { id: string }[] };
    expect(projects.projects.map((p) => p.id)).toEqual([project.id]);
  });
});

describe('sessions and tokens', () => {
  it('revokes a token at once, and ends a session on sign-out', async () => {
    const h = as(annotator.token);
    const list = (await (await rawFetch(`${base}/api/tokens`, { headers: h })).json()) as { tokens: { id: string }[] };
    expect((await rawFetch(`${base}/api/auth/me`, { headers: h })).status).toBe(200);
    expect((await rawFetch(`${base}/api/tokens/${list.tokens[0]!.id}`, { method: 'DELETE', headers: h })).status).toBe(200);
    const after = await rawFetch(`${base}/api/auth/me`, { headers: h });
    expect(after.status).toBe(401);
    expect(apiErrorSchema.parse(await after.json()).error.message).toMatch(/revoked/);

    const { cookie } = await signIn(annotator.email, annotator.password);
    expect((await rawFetch(`${base}/api/auth/me`, { headers: { cookie: cookie! } })).status).toBe(200);
    expect((await rawFetch(`${base}/api/auth/sign-out`, { method: 'POST', headers: { cookie: cookie!, origin: base } })).status).toBe(204);
    expect((await rawFetch(`${base}/api/auth/me`, { headers: { cookie: cookie! } })).status).toBe(401);
  });

  it('changes a password: the old one stops working and other sessions end, this one stays', async () => {
    const user = await userWithToken('researcher', 'changer');
    const here = (await signIn(user.email, user.password)).cookie!;
    const elsewhere = (await signIn(user.email, user.password)).cookie!;
    const change = (currentPassword: string) => rawFetch(`${base}/api/auth/password`, { method: 'POST', headers: { ...json, cookie: here, origin: base }, body: JSON.stringify({ currentPassword, newPassword: 'a brand new passphrase' }) });
    const wrong = await change('not it');
    expect(wrong.status).toBe(403);
    expect(apiErrorSchema.parse(await wrong.json()).error.details).toEqual([{ path: 'currentPassword', message: 'does not match' }]);
    expect((await change(user.password)).status).toBe(204);
    expect((await rawFetch(`${base}/api/auth/me`, { headers: { cookie: here } })).status).toBe(200);
    expect((await rawFetch(`${base}/api/auth/me`, { headers: { cookie: elsewhere } })).status).toBe(401);
    expect((await signIn(user.email, user.password)).status).toBe(401);
    expect((await signIn(user.email, 'a brand new passphrase')).status).toBe(200);
  });

  it('sets an httpOnly SameSite cookie and refuses cookie mutations from another origin (CSRF)', async () => {
    const res = await rawFetch(`${base}/api/auth/sign-in`, { method: 'POST', headers: json, body: JSON.stringify({ email: TEST_ADMIN.email, password: TEST_ADMIN.password }) });
    const setCookie = res.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    expect(setCookie).not.toMatch(/Secure/); // plain http on loopback
    const cookie = setCookie.split(';')[0]!;
    const body = JSON.stringify({ name: `csrf ${Date.now()}` });
    const evil = await rawFetch(`${base}/api/projects`, { method: 'POST', headers: { ...json, cookie, origin: 'http://evil.example' }, body });
    expect(evil.status).toBe(403);
    expect(apiErrorSchema.parse(await evil.json()).error.message).toMatch(/Cross-site/);
    expect((await rawFetch(`${base}/api/projects`, { method: 'POST', headers: { ...json, cookie }, body })).status).toBe(403);
    expect((await rawFetch(`${base}/api/projects`, { method: 'POST', headers: { ...json, cookie, origin: base }, body })).status).toBe(201);
  });

  it('throttles repeated failed sign-ins, even when the right password finally comes', async () => {
    const victim = await userWithToken('annotator', 'victim');
    for (let i = 0; i < 5; i++) expect((await signIn(victim.email, 'wrong-password!')).status).toBe(401);
    const res = await rawFetch(`${base}/api/auth/sign-in`, { method: 'POST', headers: json, body: JSON.stringify({ email: victim.email, password: victim.password }) });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await signIn('nobody@segmenta.test', 'whatever-it-is')).status).toBe(401);
  });

  it('ends the sessions and tokens of a disabled user, and records it in the audit log', async () => {
    const user = await userWithToken('researcher', 'leaver');
    expect((await fetch(`${base}/api/users/${user.id}`, { method: 'PATCH', headers: json, body: JSON.stringify({ disabled: true }) })).status).toBe(200);
    expect((await rawFetch(`${base}/api/auth/me`, { headers: as(user.token) })).status).toBe(401);
    expect((await signIn(user.email, user.password)).status).toBe(401);
    const audit = (await (await fetch(`${base}/api/audit?action=user.update`)).json()) as { entries: { targetId: string; details: { disabled?: boolean } }[] };
    expect(audit.entries.find((e) => e.targetId === user.id)?.details).toEqual({ disabled: true });
  });
});

describe('hardening', () => {
  it('refuses path traversal, injection strings in query parameters and oversized bodies cleanly', async () => {
    const traversal = ['/api/images/..%2F..%2Fetc%2Fpasswd/file', `/api/images/${ids.imageId}/file?variant=..%2F..%2Fetc%2Fpasswd`, `/api/images/${ids.imageId}/file?path=/etc/passwd`];
    for (const url of traversal) {
      const res = await fetch(`${base}${url}`);
      expect(res.status, url).toBe(400);
      expect(await res.text()).not.toMatch(/root:/);
    }
    const injections = ["' OR 1=1 --", '<script>alert(1)</script>', '../../../etc/passwd', '${7*7}', '\u0000'];
    const queries: [string, string[]][] = [
      [`/api/projects/${project.id}/images`, ['split', 'status', 'classId', 'cursor', 'limit']],
      [`/api/projects/${project.id}/export`, ['format', 'split', 'includeImages']],
      [`/api/images/${ids.imageId}/neighbours`, ['split', 'status']],
      [`/api/images/${ids.imageId}/file`, ['variant']],
      ['/api/projects', ['includeArchived']],
      ['/api/audit', ['limit', 'action']],
    ];
    for (const [url, params] of queries) {
      for (const p of params) {
        for (const bad of injections) {
          const res = await fetch(`${base}${url}?${p}=${encodeURIComponent(bad)}`);
          // A cursor is opaque: a bad one is refused like any other bad value.
          expect(res.status, `${url}?${p}=${bad}`).toBe(400);
          expect(apiErrorSchema.parse(await res.json()).error.code).toMatch(/validation_failed|bad_request/);
        }
      }
    }
    const big = await fetch(`${base}/api/projects`, { method: 'POST', headers: json, body: JSON.stringify({ name: 'x'.repeat(200_000) }) });
    expect(big.status).toBe(413);
    expect(apiErrorSchema.parse(await big.json()).error.message).toMatch(/limit for this route is 100000/);
  });

  it('sends security headers: CSP with a nonce and no inline script allowance, frame-ancestors, nosniff', async () => {
    const page = await fetch(`${base}/projects`);
    expect(page.status).toBe(200);
    const policy = page.headers.get('content-security-policy')!;
    expect(policy).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
    expect(policy).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    expect(policy).toMatch(/frame-ancestors 'none'/);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await page.text();
    const nonce = /'nonce-([^']+)'/.exec(policy)![1]!;
    // Every inline script Next renders carries the request's nonce.
    const inline = [...html.matchAll(/<script(?![^>]*\bsrc=)([^>]*)>/g)];
    expect(inline.length).toBeGreaterThan(0);
    for (const m of inline) expect(m[1]).toContain(`nonce="${nonce}"`);
    const anonymous = await rawFetch(`${base}/projects`, { redirect: 'manual' });
    expect(anonymous.status).toBe(307);
    expect(anonymous.headers.get('location')).toMatch(/\/sign-in\?next=%2Fprojects$/);
  });
});

describe('in Chromium', () => {
  it('signs in through the form as an annotator, labels an image, and is refused the training page', async () => {
    const browser = await launchChromiumSignedOut();
    try {
      const worker = await userWithToken('annotator', 'browser');
      await fetch(`${base}/api/projects/${project.id}/members`, { method: 'PUT', headers: json, body: JSON.stringify({ email: worker.email, role: 'annotator' }) });
      const page = await browser.newPage();
      await page.goto(`${base}/projects/${project.id}`);
      expect(new URL(page.url()).pathname).toBe('/sign-in');
      await page.getByLabel('Email').fill(worker.email);
      await page.getByLabel('Password').fill('not the password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      const alert = page.locator('form [role="alert"]');
      await alert.waitFor();
      await expect(alert.textContent()).resolves.toMatch(/Wrong email or password/);
      await page.getByLabel('Password').fill(worker.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${base}/projects/${project.id}`);
      await page.getByRole('heading', { name: project.name }).waitFor();

      // Label through the signed-in page: the cookie session, same-origin, as the editor saves.
      const current = (await (await fetch(`${base}/api/images/${ids.imageId}/annotations`)).json()) as { version: number; annotations: { id: string; classId: string; polygons: number[][] }[] };
      const saved = await page.evaluate(
        async ({ imageId, version, kept, classId }) => {
          const res = await fetch(`/api/images/${imageId}/annotations`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ version, annotations: [...kept, { classId, polygons: [[30, 5, 50, 5, 40, 25]] }] }) });
          return { status: res.status, body: (await res.json()) as { annotations: unknown[] } };
        },
        { imageId: ids.imageId!, version: current.version, kept: current.annotations.map((a) => ({ id: a.id, classId: a.classId, polygons: a.polygons })), classId: project.classes[1]!.id },
      );
      expect(saved.status).toBe(200);
      expect(saved.body.annotations).toHaveLength(current.annotations.length + 1);

      await page.goto(`${base}/projects/${project.id}/runs`);
      const refusal = page.locator('[data-status="403"]');
      await expect(refusal.textContent()).resolves.toMatch(/As an annotator in this project you cannot see or launch training runs/);
      expect(await page.getByRole('button', { name: /launch/i }).count()).toBe(0);
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'annotator-refused-training.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  });
});
