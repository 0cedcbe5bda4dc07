'use client';

import { useEffect, useState } from 'react';
import type { ResumeRunDto } from '@segmenta/contracts';
import { formatDuration, runSeconds } from './format-duration';
import { RunCharts, type LiveRun } from './run-charts';
import { RunLogs } from './run-logs';
import { RUN_STATUS_STYLE } from './run-status';


/** The run page body: follows the run over server-sent events while it trains. */
export function RunLive({ initial }: { initial: LiveRun }) {
  const [run, setRun] = useState<LiveRun>(initial);
  const [message, setMessage] = useState<string | null>(null);

  const live = run.status === 'queued' || run.status === 'running';
  useEffect(() => {
    if (!live) return;
    const source = new EventSource(`/api/runs/${initial.id}/events`);
    source.onmessage = (e) => setRun(JSON.parse(e.data) as LiveRun);
    source.addEventListener('end', () => source.close());
    return () => source.close();
  }, [initial.id, live]);

  // A clock for the elapsed time and ETA; it only ticks while the run can still change.
  // Starts unset so the server's render and the browser's agree (no clock in the markup).
  const [now, setNow] = useState<number | null>(null);
  useEffect(() => {
    setNow(Date.now());
    if (!live) return;
    const t = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(t);
  }, [live]);

  async function act(action: 'cancel' | 'resume') {
    const res = await fetch(`/api/runs/${run.id}/${action}`, { method: 'POST' });
    const body = await res.json();
    setMessage(res.ok ? (action === 'cancel' ? 'Cancelled. A worker training it stops after its current step; its checkpoints stay for a resume.' : (body as ResumeRunDto).resume.message) : body.error.message);
    if (res.ok) setRun((r) => ({ ...r, ...body }));
  }

  const best = run.checkpoints.find((c) => c.isBest);
  const elapsed = run.finishedAt ? runSeconds(run, 0) : now === null ? null : runSeconds(run, now);
  const stepsDone = run.steps?.length ? run.steps[run.steps.length - 1]!.step + 1 : 0;
  // progress = steps done / total steps (the worker's definition), so the total follows from both.
  const totalSteps = run.progress > 0 && stepsDone > 0 ? Math.round(stepsDone / run.progress) : null;
  const eta = run.status === 'running' && elapsed && run.progress > 0 && run.progress < 1 ? (elapsed * (1 - run.progress)) / run.progress : null;
  const bestVal = best?.valLoss;
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-2xl font-semibold">{run.name}</h1>
        <span data-testid="run-status" className={`rounded px-2 py-0.5 text-sm ${RUN_STATUS_STYLE[run.status]}`}>
          {run.status}
        </span>
        <span className="text-sm text-slate-600">
          epoch {run.epochsDone}/{run.epochs} · backend {run.backend ?? '—'}
          {bestVal != null && ` · best val loss ${bestVal.toFixed(4)} (epoch ${best!.epoch})`}
        </span>
        <span className="ml-auto flex gap-2">
          {(run.status === 'queued' || run.status === 'running') && (
            <button onClick={() => act('cancel')} className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm hover:bg-slate-50">
              Cancel
            </button>
          )}
          {(run.status === 'cancelled' || run.status === 'failed') && (
            <button onClick={() => act('resume')} className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm text-white hover:bg-indigo-700">
              Resume
            </button>
          )}
          <a href={`/api/runs/${run.id}/metrics.csv`} className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm hover:bg-slate-50" download>
            Metrics CSV
          </a>
        </span>
      </div>
      <p className="text-sm text-slate-600 tabular-nums" data-testid="run-progress">
        {Math.round(run.progress * 100)}% · epoch {run.epochsDone}/{run.epochs}
        {totalSteps !== null && ` · step ${stepsDone}/${totalSteps}`}
        {elapsed !== null && ` · ${run.finishedAt ? 'took' : 'elapsed'} ${formatDuration(elapsed)}`}
        {eta !== null && ` · about ${formatDuration(eta)} left`}
        {run.status === 'queued' && ' · waiting for a worker'}
      </p>
      <div className="h-2 w-full rounded bg-slate-100" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(run.progress * 100)} aria-label="Training progress">
        <div className="h-2 rounded bg-indigo-500 transition-all" style={{ width: `${run.progress * 100}%` }} />
      </div>
      {message && (
        <p role="status" className="text-sm text-slate-600">
          {message}
        </p>
      )}
      {run.error && (
        <p role="alert" className="rounded border border-red-200 bg-red-50 p-3 text-sm text-red-800">
          {run.error}
        </p>
      )}
      <RunCharts run={run} />
      <RunLogs runId={run.id} live={live} />
      <details className="rounded-lg border border-slate-200 bg-white p-3 text-sm">
        <summary className="cursor-pointer font-medium">Config and dataset snapshot</summary>
        <pre className="mt-2 overflow-auto text-xs">{JSON.stringify({ config: run.config, dataset: run.datasetSnapshot && { classes: run.datasetSnapshot.classes.map((c) => c.name), train: run.datasetSnapshot.splits.train.length, val: run.datasetSnapshot.splits.val.length, test: run.datasetSnapshot.splits.test.length, takenAt: run.datasetSnapshot.takenAt } }, null, 2)}</pre>
      </details>
    </div>
  );
}
