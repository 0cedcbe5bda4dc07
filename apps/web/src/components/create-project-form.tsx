'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import type { ApiErrorBody } from '@segmenta/contracts';

/** Creates a project with the default classes; shows the API's own validation messages. */
export function CreateProjectForm() {
  const router = useRouter();
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const res = await fetch('/api/projects', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) });
      if (!res.ok) {
        const body = (await res.json().catch(() => null)) as ApiErrorBody | null;
        setError(body?.error.details[0]?.message ? `${body.error.details[0].path}: ${body.error.details[0].message}` : (body?.error.message ?? `HTTP ${res.status}`));
        return;
      }
      const project = (await res.json()) as { id: string };
      router.push(`/projects/${project.id}`);
    } catch {
      setError('The server could not be reached; nothing was created.');
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} className="flex flex-wrap items-start gap-2" aria-label="New project">
      <div className="flex flex-col">
        <label htmlFor="project-name" className="sr-only">
          Project name
        </label>
        <input
          id="project-name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          placeholder="New project name"
          className="w-64 rounded-md border border-slate-300 bg-white px-3 py-2 text-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-200"
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'project-name-error' : undefined}
        />
        {error && (
          <p id="project-name-error" role="alert" className="mt-1 text-sm text-red-700">
            {error}
          </p>
        )}
      </div>
      <button type="submit" disabled={busy} className="rounded-md bg-indigo-600 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-700 disabled:opacity-50">
        {busy ? 'Creating…' : 'Create project'}
      </button>
    </form>
  );
}
