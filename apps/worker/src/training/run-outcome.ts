import { UnrecoverableError } from 'bullmq';
import { completeRun, failRun, handBackRun, latestCheckpoint, RunLeaseLostError, type Db, type RunLease, type RunStatus } from '@segmenta/db';
import { TrainingDivergedError } from '@segmenta/maskrcnn';
import type { RunLogWriter } from './run-log';

// How an attempt at a run ends, and the one place that records it: every error of every step comes here.

/** A failure in the words a researcher should read, raised by the step that knows what failed. */
export class RunFailure extends Error {
  constructor(message: string, opts?: { cause?: unknown }) {
    super(message, opts);
    this.name = 'RunFailure';
  }
}

const speaksForItself = (err: unknown) => err instanceof RunFailure || err instanceof RunLeaseLostError || err instanceof TrainingDivergedError;

/**
 * An error's message as a run's error: one line. Prisma's messages start with the call site and a
 * code frame; what went wrong is their last line.
 */
export function errorText(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (!/^\s*Invalid `[^`]+` invocation/.test(message)) return message.trim();
  return `database: ${message.trim().split('\n').at(-1)!.trim()}`;
}

/** Runs one step of the run; an error it does not explain itself is reported as "<what>: <error>". */
export async function during<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw speaksForItself(err) ? err : new RunFailure(`${what}: ${errorText(err)}`, { cause: err });
  }
}

export type Outcome =
  | { kind: 'completed'; line: string }
  | { kind: 'cancelled' }
  /** Someone else owns the run now (a worker that took it over after a stall, a hand-back): write nothing. */
  | { kind: 'lost'; status: RunStatus | null }
  | { kind: 'handed-back'; error: unknown }
  | { kind: 'failed'; message: string };

export function outcomeOf(err: unknown, signal: AbortSignal): Outcome {
  if (err instanceof RunLeaseLostError) return err.status === 'cancelled' ? { kind: 'cancelled' } : { kind: 'lost', status: err.status };
  // Shutting down: whatever stopped this attempt, the next worker starts again from the last checkpoint.
  if (signal.aborted) return { kind: 'handed-back', error: err };
  if (speaksForItself(err)) return { kind: 'failed', message: (err as Error).message };
  return { kind: 'failed', message: `training failed: ${errorText(err)}` };
}

export interface AttemptState {
  db: Db;
  lease: RunLease;
  runLog: RunLogWriter;
  /** The last optimiser step this attempt finished (-1 before the first). */
  lastStep: number;
}

/**
 * Records how the attempt ended — exactly one status change, with its log line in the same
 * transaction — and answers BullMQ: a result, an UnrecoverableError for a failure (a retry would fail
 * the same way), or the shutdown's error so the runtime hands the job back. A run that is no longer
 * this attempt's when the outcome is written (cancelled at the last moment) is settled as that.
 */
export async function settle(a: AttemptState, outcome: Outcome): Promise<unknown> {
  await a.runLog.flush();
  try {
    switch (outcome.kind) {
      case 'completed':
        await completeRun(a.db, a.lease, [{ level: 'info', message: outcome.line }]);
        return { completed: true };
      case 'cancelled': {
        const kept = await latestCheckpoint(a.db, a.lease.runId);
        a.runLog.warn(
          `Stopped ${a.lastStep < 0 ? 'before the first step' : `after step ${a.lastStep + 1}`}: the run was cancelled; ` +
            (kept ? `keeping the checkpoint of epoch ${kept.epoch} to resume from` : 'no checkpoint yet, a resume starts over'),
        );
        await a.runLog.flush();
        return { cancelled: true };
      }
      case 'lost':
        a.runLog.warn(`Attempt ${a.lease.attempt} stops: the run is ${outcome.status ?? 'deleted'} and no longer this worker's`);
        await a.runLog.flush();
        return { lost: outcome.status };
      case 'handed-back':
        await handBackRun(a.db, a.lease, 'Worker shutting down: the run goes back to the queue and resumes from its last checkpoint');
        throw outcome.error;
      case 'failed':
        await failRun(a.db, a.lease.runId, outcome.message, { lease: a.lease });
        throw new UnrecoverableError(outcome.message);
    }
  } catch (err) {
    if (err instanceof RunLeaseLostError && outcome.kind !== 'cancelled' && outcome.kind !== 'lost') return settle(a, outcomeOf(err, new AbortController().signal));
    throw err;
  }
}
