import type { ChildProcess } from 'node:child_process';

/** Why a process ended, in words a user can act on. */
export function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal === 'SIGKILL') {
    return "was killed by SIGKILL — unless someone killed it by hand, most likely by the kernel's out-of-memory killer (check `dmesg`; train with smaller images, a smaller batch or a smaller preset, or give the machine more memory)";
  }
  if (signal) return `was killed by ${signal}`;
  return `exited with code ${code}`;
}

/** Wait before restart number `n` in a row (0-based): 1 s, 2 s, 4 s, … at most 30 s. */
export const restartDelayMs = (n: number) => Math.min(30_000, 1_000 * 2 ** n);

export interface SuperviseOptions {
  /** For messages: "worker". */
  name: string;
  /** Starts one instance; called again for each restart, with how many were started before. */
  start: (started: number) => ChildProcess;
  say: (line: string) => void;
  /** After an instance ended unasked, before the restart (e.g. forget its heartbeat). */
  onCrash?: (child: ChildProcess) => Promise<void>;
  /** Exit codes that mean "restarting will not help" (a bad configuration): the supervisor gives up. */
  fatalExitCodes?: number[];
  /** A run this long counts as healthy: the next crash restarts after the shortest delay again. */
  stableAfterMs?: number;
}

export interface Supervised {
  /** The running instance, if any (none while waiting to restart). */
  current(): ChildProcess | undefined;
  /** Resolves with the exit code when the supervisor gave up on a fatal exit; never on a restartable one. */
  gaveUp: Promise<number>;
  /** Stops supervising and the instance: SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs: number): Promise<void>;
}

/**
 * Keeps one process running: when it ends without being asked to, says why (exit code or signal) and
 * starts it again after a growing delay, reset once an instance has stayed up for `stableAfterMs`.
 */
export function supervise(opts: SuperviseOptions): Supervised {
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let stopping = false;
  let restarts = 0;
  let started = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let giveUp: (code: number) => void = () => undefined;
  const gaveUp = new Promise<number>((resolve) => (giveUp = resolve));

  const launch = () => {
    const startedAt = Date.now();
    const c = opts.start(started++);
    child = c;
    exited = new Promise((resolve) => {
      c.on('exit', (code, signal) => {
        child = undefined;
        resolve();
        if (stopping) return;
        void crashed(c, code, signal, Date.now() - startedAt);
      });
    });
  };

  async function crashed(c: ChildProcess, code: number | null, signal: NodeJS.Signals | null, ranMs: number) {
    await opts.onCrash?.(c).catch((err: Error) => opts.say(`${opts.name}: could not clean up after it: ${err.message}`));
    if (code !== null && opts.fatalExitCodes?.includes(code)) {
      opts.say(`${opts.name} ${describeExit(code, signal)}: its configuration is invalid (see above); not restarting it`);
      giveUp(code);
      return;
    }
    if (ranMs >= (opts.stableAfterMs ?? 60_000)) restarts = 0;
    const delay = restartDelayMs(restarts++);
    opts.say(`${opts.name} (pid ${c.pid}) ${describeExit(code, signal)}; restarting it in ${delay / 1000} s (restart ${restarts})`);
    if (stopping) return;
    timer = setTimeout(() => {
      if (!stopping) launch();
    }, delay);
  }

  launch();
  return {
    current: () => child,
    gaveUp,
    async stop(graceMs: number) {
      stopping = true;
      clearTimeout(timer);
      const c = child;
      if (!c) return;
      c.kill('SIGTERM');
      const kill = setTimeout(() => c.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(kill);
    },
  };
}
