'use client';

import { useState } from 'react';
import { roles, type Role, type UserDto } from '@segmenta/contracts';
import { apiErrorMessage } from './api-error';

const json = { 'content-type': 'application/json' };

/** Admins create accounts, change roles and disable users (which ends their sessions and tokens). */
export function UsersAdmin({ users: initial, selfId }: { users: UserDto[]; selfId: string }) {
  const [users, setUsers] = useState(initial);
  const [message, setMessage] = useState<string | null>(null);
  async function patch(u: UserDto, body: Partial<{ role: Role; disabled: boolean }>) {
    const res = await fetch(`/api/users/${u.id}`, { method: 'PATCH', headers: json, body: JSON.stringify(body) });
    if (!res.ok) return setMessage(await apiErrorMessage(res));
    const updated = (await res.json()) as UserDto;
    setUsers((us) => us.map((x) => (x.id === updated.id ? updated : x)));
    setMessage(`${updated.email} updated`);
  }
  return (
    <div className="space-y-4">
      <form
        className="flex flex-wrap items-end gap-2 rounded-lg border border-slate-200 bg-white p-3 text-sm"
        onSubmit={async (e) => {
          e.preventDefault();
          const form = e.currentTarget;
          const f = new FormData(form);
          const res = await fetch('/api/users', { method: 'POST', headers: json, body: JSON.stringify({ email: f.get('email'), password: f.get('password'), role: f.get('role') }) });
          if (!res.ok) return setMessage(await apiErrorMessage(res));
          const user = (await res.json()) as UserDto;
          setUsers((us) => [...us, user]);
          setMessage(`${user.email} created`);
          form.reset();
        }}
      >
        <input name="email" type="email" aria-label="New user's email" placeholder="email" required className="rounded border border-slate-300 px-2 py-1" />
        <input name="password" type="password" aria-label="New user's password" placeholder="initial password (10+)" minLength={10} required className="rounded border border-slate-300 px-2 py-1" />
        <select name="role" aria-label="New user's role" defaultValue="annotator" className="rounded border border-slate-300 px-2 py-1">
          {roles.map((r) => (
            <option key={r}>{r}</option>
          ))}
        </select>
        <button type="submit" className="rounded bg-indigo-600 px-3 py-1.5 text-white">
          Create user
        </button>
      </form>
      <table aria-label="Users" className="w-full rounded-lg border border-slate-200 bg-white text-sm">
        <thead className="bg-slate-50 text-left text-slate-500">
          <tr>
            <th className="px-3 py-2 font-normal">Email</th>
            <th className="px-3 py-2 font-normal">Role</th>
            <th className="px-3 py-2 font-normal">State</th>
          </tr>
        </thead>
        <tbody>
          {users.map((u) => (
            <tr key={u.id} className="border-t border-slate-100">
              <td className="px-3 py-2">{u.email}</td>
              <td className="px-3 py-2">
                <select aria-label={`Role of ${u.email}`} value={u.role} disabled={u.id === selfId} onChange={(e) => void patch(u, { role: e.target.value as Role })} className="rounded border border-slate-300 px-2 py-1">
                  {roles.map((r) => (
                    <option key={r}>{r}</option>
                  ))}
                </select>
              </td>
              <td className="px-3 py-2">
                {u.id !== selfId && (
                  <button type="button" onClick={() => void patch(u, { disabled: !u.disabled })} className="underline">
                    {u.disabled ? 'Enable' : 'Disable'}
                  </button>
                )}
                {u.disabled && <span className="ml-2 text-slate-500">disabled</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {message && (
        <p role="status" className="text-sm text-slate-700">
          {message}
        </p>
      )}
    </div>
  );
}
