import type { RunLogDto, RunLogLevel, RunLogsDto } from '@segmenta/contracts';
import type { Db } from './client';

export interface RunLogLine {
  level: RunLogLevel;
  message: string;
  at?: Date;
}

/** One INSERT for a batch of lines; callers buffer so a training step never waits on a log write. */
export async function appendRunLogs(db: Db, runId: string, lines: RunLogLine[]): Promise<void> {
  if (lines.length === 0) return;
  await db.runLog.createMany({ data: lines.map((l) => ({ runId, level: l.level, message: l.message, ...(l.at ? { createdAt: l.at } : {}) })) });
}

export async function listRunLogs(db: Db, runId: string, q: { after: number; limit: number }): Promise<RunLogsDto> {
  // One more than asked tells whether the caller should come back at once.
  const rows = await db.runLog.findMany({ where: { runId, id: { gt: BigInt(q.after) } }, orderBy: { id: 'asc' }, take: q.limit + 1 });
  const lines: RunLogDto[] = rows.slice(0, q.limit).map((r) => ({ id: Number(r.id), level: r.level as RunLogLevel, message: r.message, createdAt: r.createdAt.toISOString() }));
  return { lines, last: lines.length ? lines[lines.length - 1]!.id : q.after, more: rows.length > q.limit };
}
