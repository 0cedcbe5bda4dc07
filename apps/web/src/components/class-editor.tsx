'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import type { LabelClassDto } from '@segmenta/contracts';
import { apiErrorMessage } from './api-error';

async function call(url: string, method: string, body?: unknown): Promise<string | null> {
  const res = await fetch(url, { method, ...(body ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}) });
  return res.ok ? null : apiErrorMessage(res);
}

/** Add, rename, recolour, merge and delete classes; a class in use is never deleted silently. */
export function ClassEditor({ projectId, classes, counts }: { projectId: string; classes: LabelClassDto[]; counts: Record<string, number> }) {
  const router = useRouter();
  const [message, setMessage] = useState<string | null>(null);
  const [newName, setNewName] = useState('');
  const [mergeFrom, setMergeFrom] = useState<string | null>(null);

  const act = async (p: Promise<string | null>, ok: string) => {
    const err = await p;
    setMessage(err ?? ok);
    if (!err) router.refresh();
  };

  return (
    <div className="space-y-3">
      <ul aria-label="Classes" className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white text-sm">
        {classes.map((c) => (
          <li key={c.id} className="flex flex-wrap items-center gap-2 px-3 py-2">
            <span className="w-5 font-mono text-slate-500">{c.hotkey ?? ''}</span>
            <input type="color" aria-label={`Colour of ${c.name}`} defaultValue={c.color} onBlur={(e) => e.target.value !== c.color && act(call(`/api/classes/${c.id}`, 'PATCH', { color: e.target.value }), `${c.name}: colour saved`)} className="h-6 w-8" />
            <input
              aria-label={`Name of ${c.name}`}
              defaultValue={c.name}
              onKeyDown={(e) => e.key === 'Enter' && e.currentTarget.blur()}
              onBlur={(e) => e.target.value.trim() !== c.name && act(call(`/api/classes/${c.id}`, 'PATCH', { name: e.target.value }), `renamed to ${e.target.value.trim()}`)}
              className="min-w-0 flex-1 rounded border border-transparent px-1 py-0.5 hover:border-slate-300"
            />
            <span className="tabular-nums text-slate-500">{counts[c.id] ?? 0} instances</span>
            {mergeFrom === c.id ? (
              <select aria-label={`Merge ${c.name} into`} defaultValue="" onChange={(e) => e.target.value && act(call(`/api/classes/${c.id}/merge`, 'POST', { into: e.target.value }), `${c.name} merged`).then(() => setMergeFrom(null))} className="rounded border border-slate-300 px-1 py-0.5">
                <option value="">merge into…</option>
                {classes.filter((o) => o.id !== c.id).map((o) => (
                  <option key={o.id} value={o.id}>
                    {o.name}
                  </option>
                ))}
              </select>
            ) : (
              <button onClick={() => setMergeFrom(c.id)} className="text-indigo-700 underline">
                Merge
              </button>
            )}
            <button
              onClick={() => {
                const n = counts[c.id] ?? 0;
                if (n > 0 && !window.confirm(`Delete "${c.name}" and its ${n} annotation(s)? Merge it instead to keep them.`)) return;
                void act(call(`/api/classes/${c.id}${n > 0 ? '?annotations=delete' : ''}`, 'DELETE'), `${c.name} deleted`);
              }}
              className="text-red-700 underline"
            >
              Delete
            </button>
          </li>
        ))}
      </ul>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void act(call(`/api/projects/${projectId}/classes`, 'POST', { name: newName }), `${newName} added`).then(() => setNewName(''));
        }}
        className="flex gap-2"
      >
        <input aria-label="New class name" value={newName} onChange={(e) => setNewName(e.target.value)} placeholder="New class" className="rounded-md border border-slate-300 px-2 py-1.5 text-sm" />
        <button type="submit" className="rounded-md bg-slate-800 px-3 py-1.5 text-sm text-white">
          Add class
        </button>
      </form>
      {message && (
        <p role="status" aria-live="polite" className="text-sm text-slate-600">
          {message}
        </p>
      )}
    </div>
  );
}

/** Rename, archive/restore or delete the project. */
export function ProjectActions({ projectId, name, archived }: { projectId: string; name: string; archived: boolean }) {
  const router = useRouter();
  const [message, setMessage] = useState<string | null>(null);
  return (
    <div className="flex flex-wrap items-center gap-2 text-sm">
      <button
        onClick={async () => {
          const next = window.prompt('Project name', name);
          if (!next || next === name) return;
          const err = await call(`/api/projects/${projectId}`, 'PATCH', { name: next });
          setMessage(err);
          if (!err) router.refresh();
        }}
        className="rounded-md border border-slate-300 bg-white px-3 py-1.5"
      >
        Rename
      </button>
      <button
        onClick={async () => {
          const err = await call(`/api/projects/${projectId}`, 'PATCH', { archived: !archived });
          setMessage(err);
          if (!err) router.refresh();
        }}
        className="rounded-md border border-slate-300 bg-white px-3 py-1.5"
      >
        {archived ? 'Restore' : 'Archive'}
      </button>
      <button
        onClick={async () => {
          if (!window.confirm(`Delete "${name}" with all its images, annotations and runs? This cannot be undone.`)) return;
          const err = await call(`/api/projects/${projectId}`, 'DELETE');
          if (err) setMessage(err);
          else router.push('/projects');
        }}
        className="rounded-md border border-red-300 bg-white px-3 py-1.5 text-red-700"
      >
        Delete
      </button>
      {archived && <span className="rounded bg-amber-100 px-2 py-0.5 text-amber-800">archived</span>}
      {message && (
        <span role="alert" className="text-red-700">
          {message}
        </span>
      )}
    </div>
  );
}
