'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import type { RunLogDto, RunLogsDto } from '@segmenta/contracts';

const POLL_MS = 2_000;
const LEVEL_STYLE: Record<RunLogDto['level'], string> = { info: 'text-slate-700', warn: 'text-amber-700', error: 'text-red-700 font-medium' };

/**
 * The worker's log of a run, following new lines with `?after=<last id>` while the run is live and
 * once more when it ends, so the closing lines are never missed.
 */
export function RunLogs({ runId, live }: { runId: string; live: boolean }) {
  const [lines, setLines] = useState<RunLogDto[]>([]);
  const [error, setError] = useState<string | null>(null);
  const last = useRef(0);
  const box = useRef<HTMLOListElement>(null);
  const busy = useRef(false);

  const pull = useCallback(async () => {
    if (busy.current) return;
    busy.current = true;
    try {
      for (;;) {
        const res = await fetch(`/api/runs/${runId}/logs?after=${last.current}&limit=500`, { cache: 'no-store' });
        if (!res.ok) throw new Error(`could not load the log (HTTP ${res.status})`);
        const page = (await res.json()) as RunLogsDto;
        last.current = page.last;
        if (page.lines.length) setLines((prev) => [...prev, ...page.lines]);
        setError(null);
        if (!page.more) break;
      }
    } catch (err) {
      setError((err as Error).message);
    } finally {
      busy.current = false;
    }
  }, [runId]);

  useEffect(() => {
    void pull();
    // Once the run has ended, one trailing read picks up lines stored just after the status changed.
    const timer = live ? setInterval(() => void pull(), POLL_MS) : setTimeout(() => void pull(), POLL_MS);
    return () => clearTimeout(timer);
  }, [pull, live]);

  // Keep following the end unless the reader has scrolled up to read something.
  useEffect(() => {
    const el = box.current;
    if (el && el.scrollHeight - el.scrollTop - el.clientHeight < 80) el.scrollTop = el.scrollHeight;
  }, [lines]);

  return (
    <section aria-labelledby="run-logs-heading" className="rounded-lg border border-slate-200 bg-white p-3">
      <h2 id="run-logs-heading" className="mb-2 text-sm font-medium text-slate-700">
        Log <span className="font-normal text-slate-500">({lines.length} line{lines.length === 1 ? '' : 's'}{live ? ', live' : ''})</span>
      </h2>
      {error && (
        <p role="alert" className="mb-2 text-xs text-red-700">
          {error}
        </p>
      )}
      <ol ref={box} role="log" aria-live="polite" aria-label="Run log" tabIndex={0} className="max-h-72 overflow-auto rounded bg-slate-50 p-2 font-mono text-xs leading-5">
        {lines.length === 0 && <li className="text-slate-500">No log lines yet.</li>}
        {lines.map((l) => (
          <li key={l.id} className={LEVEL_STYLE[l.level]} data-level={l.level}>
            <time dateTime={l.createdAt} className="mr-2 text-slate-400">
              {l.createdAt.slice(11, 19)}
            </time>
            {l.level !== 'info' && <span className="mr-1 uppercase">{l.level}</span>}
            {l.message}
          </li>
        ))}
      </ol>
    </section>
  );
}
