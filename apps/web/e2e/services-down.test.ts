import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiErrorSchema, type HealthDto } from '@segmenta/contracts';
import { freePort, startWeb, waitForHttp, type Proc } from './servers';

// A second server pointed at addresses where nothing listens: what users see when PostgreSQL and
// Redis are down. (The real services keep running for the other tests.)
let web: Proc;
let base: string;

beforeAll(async () => {
  const port = await freePort();
  const [deadPg, deadRedis] = [await freePort(), await freePort()];
  web = startWeb(port, { DATABASE_URL: `postgresql://postgres@127.0.0.1:${deadPg}/segmenta_test`, REDIS_URL: `redis://127.0.0.1:${deadRedis}` });
  base = `http://127.0.0.1:${port}`;
  await waitForHttp(`${base}/api/health`, web, (s) => s === 503);
});
afterAll(async () => {
  await web?.stop();
});

describe('with PostgreSQL and Redis unreachable', () => {
  it('health answers 503 and names what is down', async () => {
    const res = await fetch(`${base}/api/health`);
    expect(res.status).toBe(503);
    const h = (await res.json()) as HealthDto;
    expect(h.status).toBe('degraded');
    expect(h.database.ok).toBe(false);
    expect(h.redis.ok).toBe(false);
    expect(h.database.error).toBeTruthy();
    expect(h.queues.training).toBeNull();
  });

  it('API requests fail with 503 and a clear message instead of hanging or a stack trace', async () => {
    const res = await fetch(`${base}/api/projects`);
    expect(res.status).toBe(503);
    const body = apiErrorSchema.parse(await res.json());
    expect(body.error.code).toBe('service_unavailable');
    expect(body.error.message).toMatch(/PostgreSQL is unavailable at postgresql:\/\/postgres@127\.0\.0\.1:\d+\/segmenta_test/);
  });
});

describe('with an invalid environment', () => {
  it('the web server refuses to start and names the variable', async () => {
    const port = await freePort();
    // (`next start -p` overwrites PORT itself, so a bad Redis URL stands in for a bad variable.)
    const bad = startWeb(port, { REDIS_URL: 'http://127.0.0.1:6379', DATA_DIR: '' });
    await new Promise<void>((resolve) => bad.child.on('exit', () => resolve()));
    expect(bad.child.exitCode).toBe(2);
    expect(bad.output()).toContain('REDIS_URL="http://127.0.0.1:6379": must start with redis://');
  });
});
