'use client';

import { useState } from 'react';
import { apiErrorMessage } from './api-error';

export function SignInForm({ next }: { next: string }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <form
      className="space-y-3 rounded-lg border border-slate-200 bg-white p-4"
      onSubmit={async (e) => {
        e.preventDefault();
        const form = new FormData(e.currentTarget);
        setBusy(true);
        const res = await fetch('/api/auth/sign-in', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: form.get('email'), password: form.get('password') }) });
        setBusy(false);
        if (!res.ok) return setError(await apiErrorMessage(res));
        // A full navigation, so every server component renders for the signed-in user.
        window.location.assign(next);
      }}
    >
      <label className="block text-sm">
        <span className="text-slate-600">Email</span>
        <input name="email" type="email" autoComplete="username" required className="mt-1 w-full rounded border border-slate-300 px-2 py-1.5" />
      </label>
      <label className="block text-sm">
        <span className="text-slate-600">Password</span>
        <input name="password" type="password" autoComplete="current-password" required className="mt-1 w-full rounded border border-slate-300 px-2 py-1.5" />
      </label>
      {error && (
        <p role="alert" className="text-sm text-red-700">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy} className="w-full rounded bg-indigo-600 px-3 py-2 text-white disabled:opacity-60">
        {busy ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
