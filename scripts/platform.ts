// The last step of `npm start` (after install, migrations, seed and build): the web server and one
// worker, supervised. A worker that dies is restarted with backoff while the web keeps serving; the
// web server ending stops the platform; Ctrl+C (SIGINT) or SIGTERM stops both cleanly.
// Usage: node --import tsx scripts/platform.ts [line to print once the web answers]
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { EnvError, loadServerEnv, type ServerEnv } from '@segmenta/contracts';
import { forgetWorker } from '../apps/worker/src/heartbeat';
import { connectRedis } from '../apps/worker/src/services';
import { describeExit, supervise } from '../apps/worker/src/supervise';

const ROOT = path.resolve(import.meta.dirname, '..');
const say = (line: string) => console.log(`\x1b[1;34m[segmenta]\x1b[0m ${line}`);
const warn = (line: string) => console.error(`\x1b[1;31m[segmenta] ${line}\x1b[0m`);

let env: ServerEnv;
try {
  env = loadServerEnv();
} catch (err) {
  console.error(err instanceof EnvError ? err.message : err);
  process.exit(2);
}

const redis = connectRedis(env.REDIS_URL);
redis.on('error', () => undefined); // only used to forget a dead worker; the worker reports outages itself
const host = os.hostname().replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 60);
let workerId = '';

// node --import tsx (not the tsx CLI), so signals reach the worker itself, not a wrapper.
const worker = supervise({
  name: 'worker',
  start: (n) => {
    workerId = `${host}-${process.pid}-worker-${n + 1}`;
    return spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: path.join(ROOT, 'apps/worker'), env: { ...process.env, WORKER_ID: workerId }, stdio: 'inherit' });
  },
  say: warn,
  // Its heartbeat would linger until it expires: health says "no worker" from the moment it is gone.
  onCrash: () => forgetWorker(redis, env.QUEUE_PREFIX, workerId),
  fatalExitCodes: [2],
});

let stopping = false;
const web: ChildProcess = spawn(path.join(ROOT, 'node_modules/.bin/next'), ['start', '-p', String(env.PORT)], { cwd: path.join(ROOT, 'apps/web'), stdio: 'inherit' });
const webExited = new Promise<void>((resolve) => web.on('exit', () => resolve()));
web.on('exit', (code, signal) => {
  if (stopping) return;
  warn(`the web server ${describeExit(code, signal)}; stopping the platform`);
  void shutdown(1);
});

async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  say('stopping the web server and the worker');
  const killWeb = setTimeout(() => web.kill('SIGKILL'), 10_000);
  if (web.exitCode === null && web.signalCode === null) web.kill('SIGTERM');
  // The worker finishes or hands back its jobs within its grace period.
  await Promise.all([worker.stop((env.WORKER_SHUTDOWN_GRACE_S + 10) * 1000), webExited]);
  clearTimeout(killWeb);
  redis.disconnect();
  process.exit(code);
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => void shutdown(0));
void worker.gaveUp.then((code) => shutdown(code));

const url = `http://127.0.0.1:${env.PORT}/sign-in`;
for (let i = 0; i < 240 && !stopping; i++) {
  if (await fetch(url).then((r) => r.ok, () => false)) {
    say(`Segmenta is running: http://localhost:${env.PORT}  (health: http://localhost:${env.PORT}/api/health; Ctrl+C stops web and worker)`);
    if (process.argv[2]) say(process.argv[2]);
    break;
  }
  await new Promise((r) => setTimeout(r, 500));
}
