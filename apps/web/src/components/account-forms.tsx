'use client';

import { useState } from 'react';
import type { ApiTokenDto, CreatedTokenDto } from '@segmenta/contracts';
import { apiErrorMessage } from './api-error';

const json = { 'content-type': 'application/json' };

/** Password change, and API tokens for scripts: created (shown once), listed with last use, revoked. */
export function AccountForms({ tokens: initial }: { tokens: ApiTokenDto[] }) {
  const [tokens, setTokens] = useState(initial);
  const [created, setCreated] = useState<CreatedTokenDto | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const fmt = (d: string | null) => (d ? new Date(d).toLocaleString() : 'never');
  return (
    <div className="grid gap-6 lg:grid-cols-2">
      <section aria-labelledby="pw-heading" className="space-y-3 rounded-lg border border-slate-200 bg-white p-4">
        <h2 id="pw-heading" className="font-medium">
          Change password
        </h2>
        <form
          className="space-y-2"
          onSubmit={async (e) => {
            e.preventDefault();
            const f = new FormData(e.currentTarget);
            const res = await fetch('/api/auth/password', { method: 'POST', headers: json, body: JSON.stringify({ currentPassword: f.get('current'), newPassword: f.get('new') }) });
            setMessage(res.ok ? 'Password changed; your other sessions were signed out.' : await apiErrorMessage(res));
          }}
        >
          <input name="current" type="password" autoComplete="current-password" aria-label="Current password" placeholder="Current password" required className="w-full rounded border border-slate-300 px-2 py-1.5" />
          <input name="new" type="password" autoComplete="new-password" aria-label="New password" placeholder="New password (10+ characters)" minLength={10} required className="w-full rounded border border-slate-300 px-2 py-1.5" />
          <button type="submit" className="rounded bg-indigo-600 px-3 py-1.5 text-sm text-white">
            Change password
          </button>
        </form>
      </section>
      <section aria-labelledby="tokens-heading" className="space-y-3 rounded-lg border border-slate-200 bg-white p-4">
        <h2 id="tokens-heading" className="font-medium">
          API tokens
        </h2>
        <form
          className="flex gap-2"
          onSubmit={async (e) => {
            e.preventDefault();
            const f = new FormData(e.currentTarget);
            const res = await fetch('/api/tokens', { method: 'POST', headers: json, body: JSON.stringify({ name: f.get('name') }) });
            if (!res.ok) return setMessage(await apiErrorMessage(res));
            const token = (await res.json()) as CreatedTokenDto;
            setCreated(token);
            setTokens((t) => [token, ...t]);
          }}
        >
          <input name="name" aria-label="Token name" placeholder="What is it for?" required className="flex-1 rounded border border-slate-300 px-2 py-1.5" />
          <button type="submit" className="rounded bg-indigo-600 px-3 py-1.5 text-sm text-white">
            Create token
          </button>
        </form>
        {created && (
          <p role="status" className="break-all rounded bg-amber-50 p-2 text-sm">
            Copy it now, it will not be shown again: <code data-testid="new-token">{created.token}</code>
          </p>
        )}
        <ul aria-label="API tokens" className="divide-y divide-slate-100 text-sm">
          {tokens.map((t) => (
            <li key={t.id} className="flex flex-wrap items-center gap-2 py-2">
              <span className="font-medium">{t.name}</span>
              <code className="text-slate-500">{t.prefix}…</code>
              <span className="text-slate-500">last used {fmt(t.lastUsedAt)}</span>
              {t.revokedAt ? (
                <span className="text-slate-500">revoked</span>
              ) : (
                <button
                  type="button"
                  className="ml-auto text-red-700 underline"
                  onClick={async () => {
                    const res = await fetch(`/api/tokens/${t.id}`, { method: 'DELETE' });
                    if (!res.ok) return setMessage(await apiErrorMessage(res));
                    const revoked = (await res.json()) as ApiTokenDto;
                    setTokens((ts) => ts.map((x) => (x.id === t.id ? revoked : x)));
                  }}
                >
                  Revoke
                </button>
              )}
            </li>
          ))}
        </ul>
      </section>
      {message && (
        <p role="status" className="text-sm text-slate-700 lg:col-span-2">
          {message}
        </p>
      )}
    </div>
  );
}
