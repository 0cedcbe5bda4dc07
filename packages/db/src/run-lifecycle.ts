import { AppError, type RunDto } from '@segmenta/contracts';
import type { Db } from './client';
import type { RunLogLine } from './run-logs';

export type RunStatus = RunDto['status'];

/**
 * Every status change a run can make, by what causes it. Nothing else writes `TrainingRun.status`: each
 * change is one conditional UPDATE (on the status it leaves and, for a worker, the attempt it holds),
 * so of two actors racing for the same run exactly one wins and the other gets a clear refusal.
 */
const MOVES = {
  /** A worker takes the run's job and starts on it. */
  claim: { from: ['queued'], to: 'running', verb: 'started' },
  /** A worker shutting down, or the watchdog for a worker that vanished, gives the run back to the queue. */
  handBack: { from: ['running'], to: 'queued', verb: 'handed back to the queue' },
  complete: { from: ['running'], to: 'completed', verb: 'completed' },
  /** Queued too: a job the queue fails before any worker starts it (given up after stalls, lost). */
  fail: { from: ['queued', 'running'], to: 'failed', verb: 'marked failed' },
  /** Running: the worker notices at its next step (its next write is refused) and stops. */
  cancel: { from: ['queued', 'running'], to: 'cancelled', verb: 'cancelled' },
  resume: { from: ['failed', 'cancelled'], to: 'queued', verb: 'resumed' },
} as const satisfies Record<string, { from: readonly RunStatus[]; to: RunStatus; verb: string }>;
export type RunMove = keyof typeof MOVES;
type Move = RunMove;

/** The allowed transitions, from → to, as the moves above define them. */
export const RUN_TRANSITIONS: Record<RunStatus, RunStatus[]> = { queued: [], running: [], completed: [], failed: [], cancelled: [] };
for (const m of Object.values(MOVES)) for (const from of m.from) RUN_TRANSITIONS[from].push(m.to);

export const isFinished = (status: RunStatus) => status === 'completed' || status === 'failed' || status === 'cancelled';

/** A transition the run's current status does not allow (409 on the wire). */
export class RunTransitionError extends AppError {
  constructor(
    readonly runId: string,
    readonly runStatus: RunStatus,
    readonly move: Move,
  ) {
    const m = MOVES[move];
    super('conflict', `Run ${runId} is ${runStatus}; it cannot be ${m.verb}: only ${m.from.join(' or ')} runs can`);
    this.name = 'RunTransitionError';
  }
}

/** Refuses, as the move itself would, a move the status does not allow: for checks before side effects. */
export function assertMoveAllowed(runId: string, status: RunStatus, move: RunMove): void {
  if (!(MOVES[move].from as readonly RunStatus[]).includes(status)) throw new RunTransitionError(runId, status, move);
}

/** A worker's hold on the run it trains: the attempt it claimed. */
export interface RunLease {
  runId: string;
  attempt: number;
}

/** The run is no longer this worker's: cancelled, taken over after a stall, or handed back. */
export class RunLeaseLostError extends Error {
  constructor(
    readonly lease: RunLease,
    readonly status: RunStatus | null,
  ) {
    super(
      status === 'cancelled'
        ? `run ${lease.runId} was cancelled`
        : `run ${lease.runId} is no longer attempt ${lease.attempt}'s (${status === null ? 'deleted' : `now ${status}`})`,
    );
    this.name = 'RunLeaseLostError';
  }
}

interface MoveOptions {
  /** Conditional on this attempt too: a worker's own move. */
  lease?: RunLease;
  /** Only from these of the move's statuses. */
  from?: readonly RunStatus[];
  data?: { error?: string | null; progress?: number; backend?: string };
  /** Stored with the change, in its transaction, so a reader that sees the status also sees why. */
  log?: RunLogLine[];
}

async function move(db: Db, runId: string, name: Move, opts: MoveOptions = {}): Promise<{ attempt: number; startedBefore: boolean }> {
  const m = MOVES[name];
  const from = opts.from ?? m.from;
  const finished = isFinished(m.to);
  return db.$transaction(async (tx) => {
    const { count } = await tx.trainingRun.updateMany({
      where: { id: runId, status: { in: [...from] }, ...(opts.lease ? { attempt: opts.lease.attempt } : {}) },
      data: {
        status: m.to,
        ...opts.data,
        ...(name === 'claim' ? { attempt: { increment: 1 }, error: null, finishedAt: null } : {}),
        ...(name === 'resume' || name === 'handBack' ? { error: null, finishedAt: null } : {}),
        ...(finished ? { finishedAt: new Date() } : {}),
        ...(name === 'complete' ? { progress: 1 } : {}),
      },
    });
    const row = await tx.trainingRun.findUnique({ where: { id: runId }, select: { status: true, attempt: true, startedAt: true } });
    if (count === 0) {
      if (!row) throw new AppError('not_found', `Run ${runId} does not exist`);
      if (opts.lease && (row.attempt !== opts.lease.attempt || !from.includes(row.status))) throw new RunLeaseLostError(opts.lease, row.status);
      throw new RunTransitionError(runId, row.status, name);
    }
    // startedAt survives crashes, hand-backs and resumes, so it tells a restart from a first start.
    const startedBefore = row!.startedAt !== null;
    if (name === 'claim' && !startedBefore) await tx.trainingRun.update({ where: { id: runId }, data: { startedAt: new Date() } });
    if (opts.log?.length) await tx.runLog.createMany({ data: opts.log.map((l) => ({ runId, level: l.level, message: l.message, ...(l.at ? { createdAt: l.at } : {}) })) });
    return { attempt: row!.attempt, startedBefore };
  });
}

/**
 * A worker starts a queued run: a new attempt, the backend it runs on. `restarted` tells a run that had
 * started before (a crash, a hand-back, a resume) from a first start.
 */
export async function claimRun(db: Db, runId: string, opts: { backend: string }): Promise<RunLease & { restarted: boolean }> {
  const { attempt, startedBefore } = await move(db, runId, 'claim', { data: { backend: opts.backend } });
  return { runId, attempt, restarted: startedBefore };
}

/** Back to the queue, keeping its checkpoints: the next worker resumes it. `lease` is the attempt being given up. */
export function handBackRun(db: Db, lease: RunLease, reason: string): Promise<unknown> {
  return move(db, lease.runId, 'handBack', { lease, log: [{ level: 'warn', message: reason }] });
}

export function completeRun(db: Db, lease: RunLease, log: RunLogLine[] = []): Promise<unknown> {
  return move(db, lease.runId, 'complete', { lease, log });
}

/** Ends the run as failed with `error` (also logged). With a lease, only while that attempt holds it. */
export function failRun(db: Db, runId: string, error: string, opts: { lease?: RunLease; from?: readonly RunStatus[] } = {}): Promise<unknown> {
  return move(db, runId, 'fail', { ...opts, data: { error }, log: [{ level: 'error', message: `Failed: ${error}` }] });
}

/**
 * Cancels a queued or running run at once. A worker training it finds out at its next step, when its
 * write is refused, and stops there; the checkpoints it saved stay for a resume.
 */
export function cancelRun(db: Db, runId: string, log: RunLogLine[] = []): Promise<unknown> {
  return move(db, runId, 'cancel', { log });
}

/** A failed or cancelled run goes back to the queue; its error is cleared, its checkpoints kept. */
export function resumeRun(db: Db, runId: string, log: RunLogLine[] = []): Promise<unknown> {
  return move(db, runId, 'resume', { log });
}

async function leaseWrite(db: Db, lease: RunLease, data: { progress?: number; epochsDone?: number }): Promise<void> {
  const { count } = await db.trainingRun.updateMany({ where: { id: lease.runId, status: 'running', attempt: lease.attempt }, data });
  if (count === 0) throw new RunLeaseLostError(lease, (await db.trainingRun.findUnique({ where: { id: lease.runId }, select: { status: true } }))?.status ?? null);
}

/** Throws RunLeaseLostError when the attempt no longer holds the run (e.g. it was cancelled). */
export async function assertLease(db: Db, lease: RunLease): Promise<void> {
  const row = await db.trainingRun.findUnique({ where: { id: lease.runId }, select: { status: true, attempt: true } });
  if (row?.status !== 'running' || row.attempt !== lease.attempt) throw new RunLeaseLostError(lease, row?.status ?? null);
}

/** One optimiser step: its loss row and the run's progress, only while the attempt holds the run. */
export async function recordRunStep(db: Db, lease: RunLease, s: { step: number; epoch: number; loss: number; learningRate: number }, progress: number): Promise<void> {
  await leaseWrite(db, lease, { progress });
  const { runId } = lease;
  await db.stepMetric.upsert({
    where: { runId_step: { runId, step: s.step } },
    create: { runId, step: s.step, epoch: s.epoch, loss: s.loss, learningRate: s.learningRate },
    update: { loss: s.loss, learningRate: s.learningRate, epoch: s.epoch },
  });
}

export function recordRunEpoch(db: Db, lease: RunLease, epochsDone: number): Promise<void> {
  return leaseWrite(db, lease, { epochsDone });
}

/**
 * Where an attempt starts: epochs before `epoch` are kept, the step rows from `step` on are dropped
 * (this attempt redoes those steps), so the history shows only what the model now holds.
 */
export async function rewindRun(db: Db, lease: RunLease, at: { epoch: number; step: number; progress: number }): Promise<void> {
  await leaseWrite(db, lease, { epochsDone: at.epoch, progress: at.progress });
  await db.stepMetric.deleteMany({ where: { runId: lease.runId, step: { gte: at.step } } });
}
