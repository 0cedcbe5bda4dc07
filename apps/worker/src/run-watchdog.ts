import type { Job, Queue } from 'bullmq';
import { failRun, handBackRun, RunLeaseLostError, RunTransitionError, type Db, type RunStatus } from '@segmenta/db';
import type { Log } from './log';

/**
 * Keeps the run rows true to their training jobs. A worker holds its job's lock and renews it every
 * few seconds — that lock is the run's heartbeat. When a worker dies (killed, out of memory, machine
 * lost) its lock lapses and BullMQ's stalled-job check, run by every live worker, puts the job back
 * in the queue, or fails it once it has stalled more than `maxStalledCount` times. The run row cannot
 * see any of that; this sweep, run by every worker, moves it along: back to queued while its job
 * waits again, failed with the reason when the job failed or vanished. Every move is conditional on
 * the attempt it saw, so a worker that claims the run meanwhile wins. With no worker alive nothing
 * sweeps — and nothing could train the run either; the first worker to start settles it.
 */
export function startRunWatchdog(opts: { db: Db; queue: Queue; intervalMs: number; log: Log; graceMs?: number }): { sweep: () => Promise<number>; stop: () => Promise<void> } {
  const graceMs = opts.graceMs ?? 60_000;

  function verdict(run: { status: RunStatus; updatedAt: Date }, job: Job | undefined, state: string): { fail: string } | { handBack: string } | null {
    const stalls = job?.stalledCounter ?? 0;
    const gaveUp = `its worker stopped responding ${stalls} time(s) (killed — out of memory? — or its machine was lost) and the queue gave up on it`;
    const failed = job?.failedReason ?? job?.deferredFailure;
    // A queued run's job may be on its way (launch, resume) or about to replace the previous attempt's
    // failed one; a running run's job only ends after the run recorded its end, so no wait for those.
    const justMoved = Date.now() - run.updatedAt.getTime() < graceMs;
    if (state === 'failed' || job?.deferredFailure) {
      if (run.status === 'queued' && justMoved) return null;
      return { fail: failed === 'job stalled more than allowable limit' ? `${gaveUp}; resume it to continue from its last checkpoint` : `its job failed: ${failed ?? 'no reason given'}` };
    }
    if (run.status === 'running' && ['waiting', 'delayed', 'prioritized'].includes(state)) {
      return { handBack: 'The worker training the run stopped responding (killed — out of memory? — or its machine was lost); waiting for a worker to resume it from the last checkpoint' };
    }
    if (state === 'active' || ['waiting', 'delayed', 'prioritized', 'waiting-children'].includes(state)) return null;
    // Missing, or completed without the run recording an end: only once the row has been still for a
    // while (a running run may be just settling).
    if (justMoved) return null;
    return { fail: state === 'completed' ? 'its job ended without the run recording an outcome; resume it to continue from its last checkpoint' : 'its job is gone from the queue (removed, or Redis lost its data); resume it to queue it again' };
  }

  async function sweep(): Promise<number> {
    const runs = await opts.db.trainingRun.findMany({ where: { status: { in: ['queued', 'running'] } }, select: { id: true, status: true, attempt: true, updatedAt: true } });
    let settled = 0;
    for (const run of runs) {
      const job = await opts.queue.getJob(run.id);
      const v = verdict(run, job, job ? await job.getState() : 'missing');
      if (!v) continue;
      const lease = { runId: run.id, attempt: run.attempt };
      try {
        if ('fail' in v) await failRun(opts.db, run.id, v.fail, { lease, from: [run.status] });
        else await handBackRun(opts.db, lease, v.handBack);
        settled++;
        opts.log('warn', 'watchdog settled a run', { runId: run.id, was: run.status, ...v });
      } catch (err) {
        // Someone moved it first (a worker claimed it, a user cancelled): theirs is the newer truth.
        if (!(err instanceof RunLeaseLostError || err instanceof RunTransitionError)) throw err;
      }
    }
    return settled;
  }

  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let current: Promise<unknown> = Promise.resolve();
  const loop = () => {
    current = sweep()
      .catch((err) => opts.log('warn', 'run watchdog could not sweep', { error: (err as Error).message }))
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, opts.intervalMs);
      });
  };
  loop();
  return {
    sweep,
    /** Stops sweeping; resolves once a sweep under way has finished. */
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await current;
    },
  };
}
