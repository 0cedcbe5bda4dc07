/** 75 → "1 min 15 s", 3725 → "1 h 2 min": precise enough for training runs, short enough for a table. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds == null || !Number.isFinite(seconds) || seconds < 0) return '—';
  if (seconds > 0 && seconds < 1) return 'under 1 s';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  return h < 48 ? `${h} h ${m % 60} min` : `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** Seconds a run has trained: to its end, or to `now` while it still runs. */
export function runSeconds(run: { startedAt: string | null; finishedAt: string | null }, now: number): number | null {
  if (!run.startedAt) return null;
  const end = run.finishedAt ? Date.parse(run.finishedAt) : now;
  return Math.max(0, (end - Date.parse(run.startedAt)) / 1000);
}
