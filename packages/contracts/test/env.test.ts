import { describe, expect, it } from 'vitest';
import { EnvError, loadServerEnv, redactUrl } from '../src/env';

describe('loadServerEnv', () => {
  it('fills defaults for a bare environment', () => {
    const env = loadServerEnv({});
    expect(env.PORT).toBe(3000);
    expect(env.DATA_DIR).toBe('./data');
    expect(env.DATABASE_URL).toMatch(/^postgresql:\/\//);
  });

  it('treats empty strings as unset', () => {
    expect(loadServerEnv({ PORT: '' }).PORT).toBe(3000);
  });

  it('names every bad variable with its value and the reason', () => {
    let caught: unknown;
    try {
      loadServerEnv({ PORT: 'http', DATABASE_URL: 'mysql://x', REDIS_URL: 'redis://127.0.0.1:6379' });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(EnvError);
    const problems = (caught as EnvError).problems.map((p) => p.variable).sort();
    expect(problems).toEqual(['DATABASE_URL', 'PORT']);
    expect((caught as EnvError).message).toContain('DATABASE_URL="mysql://x": must start with postgresql://');
  });

  it('sizes the web server\'s prediction pool: 1 thread and 32 waiting by default, 0 waiting allowed, 0 threads not', () => {
    const env = loadServerEnv({});
    expect([env.INFERENCE_CONCURRENCY, env.INFERENCE_QUEUE_MAX]).toEqual([1, 32]);
    expect(loadServerEnv({ INFERENCE_QUEUE_MAX: '0' }).INFERENCE_QUEUE_MAX).toBe(0);
    expect(() => loadServerEnv({ INFERENCE_CONCURRENCY: '0' })).toThrow(/INFERENCE_CONCURRENCY="0": must be at least 1/);
  });

  it('rejects an out-of-range port', () => {
    expect(() => loadServerEnv({ PORT: '70000' })).toThrow(/PORT="70000": must be a port number/);
  });
});

describe('redactUrl', () => {
  it('hides passwords', () => {
    expect(redactUrl('postgresql://u:secret@db:5432/x')).toBe('postgresql://u:***@db:5432/x');
    expect(redactUrl('not a url')).toBe('(unparseable URL)');
  });
});
