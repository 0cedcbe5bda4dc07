import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export const WEB_DIR = path.resolve(import.meta.dirname, '..');
const ROOT = path.resolve(WEB_DIR, '../..');
const BIN = path.join(ROOT, 'node_modules/.bin');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export interface Proc {
  child: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

function run(cmd: string, args: string[], cwd: string, env: Record<string, string | undefined>): Proc {
  const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  return {
    child,
    output: () => out,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

/** The admin every test and benchmark server is bootstrapped with (test databases only). */
export const TEST_ADMIN = { email: 'admin@segmenta.test', password: 'test-admin-password', token: 'sgt_test-admin-token-0123456789abcdef' } as const;

/** The production build, as `npm start` serves it. `npm test` builds before it runs the tests. */
export function startWeb(port: number, env: Record<string, string | undefined> = {}): Proc {
  if (!existsSync(path.join(WEB_DIR, '.next/BUILD_ID'))) throw new Error('apps/web is not built: run `npm test` (it builds first) or `npx turbo run build --filter=@segmenta/web`');
  const admin = { SEGMENTA_ADMIN_EMAIL: TEST_ADMIN.email, SEGMENTA_ADMIN_PASSWORD: TEST_ADMIN.password, SEGMENTA_ADMIN_TOKEN: TEST_ADMIN.token };
  return run(path.join(BIN, 'next'), ['start', '-p', String(port), '-H', '127.0.0.1'], WEB_DIR, { NEXT_TELEMETRY_DISABLED: '1', ...admin, ...env });
}

/** fetch as it was before installTestAuth, for tests that must send no credentials. */
export const rawFetch: typeof fetch = globalThis.fetch.bind(globalThis);

/**
 * Makes every fetch to a local test server carry the test admin's token unless the request brings
 * its own credentials (Authorization or Cookie): the suites test features as an admin, and the
 * auth suite tests credentials explicitly with rawFetch.
 */
export function installTestAuth(token: string = TEST_ADMIN.token): void {
  globalThis.fetch = (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!/^https?:\/\/127\.0\.0\.1:/.test(url)) return rawFetch(input, init);
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    if (!headers.has('authorization') && !headers.has('cookie')) headers.set('authorization', `Bearer ${token}`);
    return rawFetch(input, { ...init, headers });
  };
}

export function startWorker(env: Record<string, string | undefined> = {}): Proc {
  // node --import tsx rather than the tsx CLI, so stopping it stops the worker and not just a wrapper.
  return run(process.execPath, ['--import', 'tsx', 'src/main.ts'], path.join(ROOT, 'apps/worker'), env);
}

export async function waitForHttp(url: string, proc: Proc, ok: (status: number) => boolean = (s) => s === 200, timeoutMs = 60_000): Promise<void> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (proc.child.exitCode !== null) throw new Error(`server exited early:\n${proc.output()}`);
    try {
      const res = await fetch(url);
      if (ok(res.status)) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${url}:\n${proc.output()}`);
}
