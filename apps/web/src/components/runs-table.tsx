'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useMemo, useState } from 'react';
import type { ApiErrorBody, ResumeRunDto, RunDto } from '@segmenta/contracts';
import { formatDuration } from './format-duration';

export interface RunRow {
  id: string;
  name: string;
  status: RunDto['status'];
  preset: string;
  backend: string | null;
  epochsDone: number;
  epochs: number;
  bestValLoss: number | null;
  bestSegmMap: number | null;
  durationS: number | null;
  createdAt: string;
}

type Key = 'name' | 'status' | 'preset' | 'backend' | 'epochs' | 'bestValLoss' | 'bestSegmMap' | 'durationS' | 'createdAt';
type Dir = 'ascending' | 'descending';

const STATUS_ORDER: Record<RunDto['status'], number> = { running: 0, queued: 1, completed: 2, cancelled: 3, failed: 4 };
const COLUMNS: { key: Key; label: string; value: (r: RunRow) => string | number | null; numeric?: boolean }[] = [
  { key: 'name', label: 'Run', value: (r) => r.name.toLowerCase() },
  { key: 'status', label: 'Status', value: (r) => STATUS_ORDER[r.status] },
  { key: 'preset', label: 'Preset', value: (r) => r.preset },
  { key: 'backend', label: 'Backend', value: (r) => r.backend },
  { key: 'epochs', label: 'Epochs', value: (r) => (r.epochs ? r.epochsDone / r.epochs : 0), numeric: true },
  { key: 'bestValLoss', label: 'Best val loss', value: (r) => r.bestValLoss, numeric: true },
  { key: 'bestSegmMap', label: 'Best val segm mAP', value: (r) => r.bestSegmMap, numeric: true },
  { key: 'durationS', label: 'Duration', value: (r) => r.durationS, numeric: true },
  { key: 'createdAt', label: 'Created', value: (r) => r.createdAt },
];

const fmt = (v: number | null, d: number) => (v == null ? '—' : v.toFixed(d));

/** Sorting keeps runs without a value (no val split, never started) at the bottom either way. */
function sortRows(rows: RunRow[], key: Key, dir: Dir): RunRow[] {
  const col = COLUMNS.find((c) => c.key === key)!;
  const sign = dir === 'ascending' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = col.value(a);
    const y = col.value(b);
    if (x === y) return b.createdAt.localeCompare(a.createdAt);
    if (x == null) return 1;
    if (y == null) return -1;
    return (x < y ? -1 : 1) * sign;
  });
}

export function RunsTable({ projectId, runs, canTrain, canDelete }: { projectId: string; runs: RunRow[]; canTrain: boolean; canDelete: boolean }) {
  const router = useRouter();
  const [sort, setSort] = useState<{ key: Key; dir: Dir }>({ key: 'createdAt', dir: 'descending' });
  const [confirming, setConfirming] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const rows = useMemo(() => sortRows(runs, sort.key, sort.dir), [runs, sort]);

  const toggle = (key: Key) =>
    setSort((s) => (s.key === key ? { key, dir: s.dir === 'ascending' ? 'descending' : 'ascending' } : { key, dir: COLUMNS.find((c) => c.key === key)!.numeric || key === 'createdAt' ? 'descending' : 'ascending' }));

  async function act(run: RunRow, action: 'cancel' | 'resume' | 'delete') {
    setBusy(run.id);
    setMessage(null);
    try {
      const res = action === 'delete' ? await fetch(`/api/runs/${run.id}`, { method: 'DELETE' }) : await fetch(`/api/runs/${run.id}/${action}`, { method: 'POST' });
      if (!res.ok) {
        const body = (await res.json().catch(() => null)) as ApiErrorBody | null;
        setMessage({ text: body?.error.message ?? `HTTP ${res.status}`, error: true });
        return;
      }
      const text =
        action === 'resume' ? `"${run.name}": ${((await res.json()) as ResumeRunDto).resume.message}` : action === 'cancel' ? `Cancelled "${run.name}"` : `Deleted "${run.name}" and its files`;
      setMessage({ text, error: false });
      router.refresh();
    } finally {
      setBusy(null);
      setConfirming(null);
    }
  }

  const btn = 'rounded border border-slate-300 bg-white px-2 py-0.5 text-xs hover:bg-slate-50 disabled:opacity-50';
  return (
    <div className="space-y-2">
      <p role="status" className={`min-h-5 text-sm ${message?.error ? 'text-red-700' : 'text-slate-600'}`}>
        {message?.text}
      </p>
      <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
        <table className="w-full text-sm" aria-label="Training runs">
          <thead className="bg-slate-50 text-left text-slate-500">
            <tr>
              {COLUMNS.map((c) => {
                const active = sort.key === c.key;
                return (
                  <th key={c.key} scope="col" aria-sort={active ? sort.dir : 'none'} className="px-3 py-2 font-normal whitespace-nowrap">
                    <button type="button" onClick={() => toggle(c.key)} className="inline-flex items-center gap-1 rounded hover:text-slate-800 focus-visible:outline focus-visible:outline-2 focus-visible:outline-indigo-500">
                      {c.label}
                      <span aria-hidden="true" className={active ? 'text-slate-800' : 'text-slate-300'}>
                        {active && sort.dir === 'ascending' ? '▲' : '▼'}
                      </span>
                    </button>
                  </th>
                );
              })}
              <th scope="col" className="px-3 py-2 font-normal">
                Actions
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 && (
              <tr>
                <td colSpan={COLUMNS.length + 1} className="px-3 py-6 text-center text-slate-500">
                  No runs yet.
                </td>
              </tr>
            )}
            {rows.map((r) => (
              <tr key={r.id} className="border-t border-slate-100" data-run-id={r.id}>
                <td className="px-3 py-2">
                  <Link href={`/runs/${r.id}`} className="text-indigo-700 underline">
                    {r.name}
                  </Link>
                </td>
                <td className="px-3 py-2">{r.status}</td>
                <td className="px-3 py-2">{r.preset}</td>
                <td className="px-3 py-2">{r.backend ?? '—'}</td>
                <td className="px-3 py-2 tabular-nums">
                  {r.epochsDone}/{r.epochs}
                </td>
                <td className="px-3 py-2 tabular-nums">{fmt(r.bestValLoss, 4)}</td>
                <td className="px-3 py-2 tabular-nums">{fmt(r.bestSegmMap, 3)}</td>
                <td className="px-3 py-2 tabular-nums">{formatDuration(r.durationS)}</td>
                <td className="px-3 py-2 whitespace-nowrap text-slate-500">{r.createdAt.slice(0, 16).replace('T', ' ')}</td>
                <td className="px-3 py-2">
                  <div className="flex flex-wrap gap-1">
                    {canTrain && (r.status === 'queued' || r.status === 'running') && (
                      <button type="button" className={btn} disabled={busy === r.id} onClick={() => act(r, 'cancel')} aria-label={`Cancel ${r.name}`}>
                        Cancel
                      </button>
                    )}
                    {canTrain && (r.status === 'cancelled' || r.status === 'failed') && (
                      <button type="button" className={btn} disabled={busy === r.id} onClick={() => act(r, 'resume')} aria-label={`Resume ${r.name}`}>
                        Resume
                      </button>
                    )}
                    {canTrain && (
                      <Link href={`/projects/${projectId}/runs?from=${r.id}#launch`} className={btn} aria-label={`Duplicate ${r.name} with edits`}>
                        Duplicate
                      </Link>
                    )}
                    {canDelete && r.status !== 'running' && confirming !== r.id && (
                      <button type="button" className={`${btn} text-red-700`} disabled={busy === r.id} onClick={() => setConfirming(r.id)} aria-label={`Delete ${r.name}`}>
                        Delete
                      </button>
                    )}
                    {confirming === r.id && (
                      <span role="group" aria-label={`Confirm deleting ${r.name}`} className="inline-flex items-center gap-1 text-xs">
                        Delete with its checkpoints?
                        <button type="button" className={`${btn} border-red-300 text-red-700`} disabled={busy === r.id} onClick={() => act(r, 'delete')}>
                          Yes, delete
                        </button>
                        <button type="button" className={btn} onClick={() => setConfirming(null)}>
                          Keep
                        </button>
                      </span>
                    )}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
