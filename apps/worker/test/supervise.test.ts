import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { supervise } from '../src/supervise';
import { until } from './helpers';

// The supervisor `npm start` puts around its worker, on real child processes.
const node = (code: string) => spawn(process.execPath, ['-e', code], { stdio: 'ignore' });

describe('supervise', () => {
  it('restarts a process that keeps dying with a growing delay, saying how it died each time', async () => {
    const lines: string[] = [];
    const starts: number[] = [];
    const s = supervise({ name: 'worker', start: (n) => (starts.push(n), node('process.exit(3)')), say: (l) => lines.push(l) });
    await until(async () => starts.length === 3, 'a third start', 20_000);
    await s.stop(1_000);
    expect(starts).toEqual([0, 1, 2]);
    expect(lines[0]).toMatch(/^worker \(pid \d+\) exited with code 3; restarting it in 1 s \(restart 1\)$/);
    expect(lines[1]).toMatch(/^worker \(pid \d+\) exited with code 3; restarting it in 2 s \(restart 2\)$/);
  });

  it('names SIGKILL as the out-of-memory killer\'s signal, and stops on request without restarting', async () => {
    const lines: string[] = [];
    let crashes = 0;
    const s = supervise({ name: 'worker', start: () => node('setInterval(() => {}, 1000)'), say: (l) => lines.push(l), onCrash: async () => void crashes++ });
    const first = await until(async () => s.current(), 'the first instance');
    first.kill('SIGKILL');
    await until(async () => lines.length === 1, 'the exit message');
    expect(lines[0]).toContain("was killed by SIGKILL — unless someone killed it by hand, most likely by the kernel's out-of-memory killer");
    const second = await until(async () => s.current(), 'the restarted instance', 10_000);
    expect(second.pid).not.toBe(first.pid);
    await s.stop(5_000);
    expect(second.signalCode).toBe('SIGTERM');
    expect([crashes, lines.length, s.current()]).toEqual([1, 1, undefined]);
  });

  it('gives up on an exit code that means the configuration is wrong', async () => {
    const lines: string[] = [];
    const s = supervise({ name: 'worker', start: () => node('process.exit(2)'), say: (l) => lines.push(l), fatalExitCodes: [2] });
    expect(await s.gaveUp).toBe(2);
    expect(lines).toEqual(['worker exited with code 2: its configuration is invalid (see above); not restarting it']);
    await s.stop(1_000);
  });
});
