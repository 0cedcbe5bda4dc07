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
