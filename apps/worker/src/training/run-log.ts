import { appendRunLogs, type Db, type RunLogLine } from '@segmenta/db';
import type { RunLogLevel } from '@segmenta/contracts';

/**
 * A run's log as stored in PostgreSQL. Lines are buffered and written in one INSERT when the buffer
 * fills, a couple of seconds after the first unwritten line, or on `flush()` — so a training step
 * never waits for a log write. A failed write is reported on stderr and never fails the run.
 */
export class RunLogWriter {
  private buffer: RunLogLine[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Db,
    private readonly runId: string,
    private readonly opts: { maxLines?: number; flushMs?: number } = {},
  ) {}

  info = (message: string) => this.add('info', message);
  warn = (message: string) => this.add('warn', message);
  error = (message: string) => this.add('error', message);

  private add(level: RunLogLevel, message: string): void {
    this.buffer.push({ level, message, at: new Date() });
    if (this.buffer.length >= (this.opts.maxLines ?? 100)) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.opts.flushMs ?? 2_000);
  }

  /** Writes what is buffered; resolves when this and every earlier write has finished. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const lines = this.buffer;
    this.buffer = [];
    // Chained, so lines reach the table in the order they were written.
    this.writing = this.writing.then(async () => {
      if (lines.length === 0) return;
      await appendRunLogs(this.db, this.runId, lines).catch((err: Error) => {
        process.stderr.write(`run ${this.runId}: could not store ${lines.length} log line(s): ${err.message}\n`);
      });
    });
    return this.writing;
  }
}
