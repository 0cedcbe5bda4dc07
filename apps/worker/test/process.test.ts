import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { workerRegistryKey } from '@segmenta/contracts';
import { connectRedis } from '../src/services';
import { testEnv, until } from './helpers';

const env = testEnv();
const stringEnv = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)]));
const main = path.join(import.meta.dirname, '../src/main.ts');

function startWorker(extraEnv: Record<string, string>) {
  // node --import tsx, not the tsx CLI: signals must reach the worker, not a wrapper that would orphan it.
  const child = spawn(process.execPath, ['--import', 'tsx', main], { env: { ...process.env, ...stringEnv, WORKER_SHUTDOWN_GRACE_S: '1', ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d));
  child.stderr.on('data', (d: Buffer) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

describe('worker process', () => {
  it('exits non-zero with a precise message when the environment is invalid', async () => {
    const w = startWorker({ REDIS_URL: 'http://nope', WORKER_CONCURRENCY: 'lots', MODEL_THREADS: '0' });
    expect(await w.exited).toBe(2);
    expect(w.output()).toContain('MODEL_THREADS="0": must be at least 1');
    expect(w.output()).toContain('REDIS_URL="http://nope": must start with redis://');
    expect(w.output()).toContain('WORKER_CONCURRENCY="lots"');
  });

  it('registers, serves, and leaves cleanly on SIGTERM', async () => {
    const redis = connectRedis(env.REDIS_URL);
    await redis.connect();
    const w = startWorker({ MODEL_THREADS: '2' });
    try {
      await until(async () => (await redis.scard(workerRegistryKey(env.QUEUE_PREFIX))) === 1, 'worker registration', 30_000);
      // The line is written before registering, but the pipe may deliver it after Redis answers.
      await until(async () => w.output().includes('"backend":"wasm"'), 'the backend log line', 5_000);
      expect(w.output()).toContain('"threads":2');
      w.child.kill('SIGTERM');
      expect(await w.exited).toBe(0);
      expect(await redis.scard(workerRegistryKey(env.QUEUE_PREFIX))).toBe(0);
      expect(w.output()).toContain('worker stopped');
    } finally {
      w.child.kill('SIGKILL');
      redis.disconnect();
    }
  });

  it('keeps retrying with a message naming the unreachable service, and starts once it is up', async () => {
    const port = 6391;
    const w = startWorker({ REDIS_URL: `redis://127.0.0.1:${port}` });
    let server: ReturnType<typeof spawn> | undefined;
    try {
      await until(async () => w.output().includes(`Redis is unreachable at redis://127.0.0.1:${port}`), 'the redis-down message', 20_000);
      expect(w.output()).toContain('redis-server --daemonize yes');
      expect(w.child.exitCode).toBeNull();
      server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
      await until(async () => w.output().includes('worker started'), 'the worker to start after Redis came up', 30_000);
    } finally {
      w.child.kill('SIGKILL');
      server?.kill('SIGKILL');
      await w.exited;
    }
  });
});
