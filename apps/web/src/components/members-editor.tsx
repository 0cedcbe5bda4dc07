'use client';

import { useState } from 'react';
import { roles, type MemberDto, type Role } from '@segmenta/contracts';
import { apiErrorMessage } from './api-error';

/** Project members and their roles; owners and admins add (by email), change and remove them. */
export function MembersEditor({ projectId, members: initial, canEdit }: { projectId: string; members: MemberDto[]; canEdit: boolean }) {
  const [members, setMembers] = useState(initial);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('annotator');
  const [message, setMessage] = useState<string | null>(null);

  async function put(memberEmail: string, memberRole: Role) {
    const res = await fetch(`/api/projects/${projectId}/members`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: memberEmail, role: memberRole }) });
    if (!res.ok) return setMessage(await apiErrorMessage(res));
    const member = (await res.json()) as MemberDto;
    setMembers((ms) => [...ms.filter((m) => m.userId !== member.userId), member]);
    setMessage(`${member.email} is now ${member.role === 'admin' ? 'an owner' : `a ${member.role}`}`);
  }

  async function remove(m: MemberDto) {
    const res = await fetch(`/api/projects/${projectId}/members/${m.userId}`, { method: 'DELETE' });
    if (!res.ok) return setMessage(await apiErrorMessage(res));
    setMembers((ms) => ms.filter((x) => x.userId !== m.userId));
    setMessage(`${m.email} removed`);
  }

  const label = (r: Role) => (r === 'admin' ? 'owner' : r);
  return (
    <div className="space-y-3">
      <ul aria-label="Members" className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white text-sm">
        {members.length === 0 && <li className="px-3 py-2 text-slate-500">No members yet; admins see every project.</li>}
        {members.map((m) => (
          <li key={m.userId} className="flex flex-wrap items-center gap-3 px-3 py-2">
            <span className="min-w-48 font-medium">{m.email}</span>
            {canEdit ? (
              <select aria-label={`Role of ${m.email}`} value={m.role} onChange={(e) => void put(m.email, e.target.value as Role)} className="rounded border border-slate-300 px-2 py-1">
                {roles.map((r) => (
                  <option key={r} value={r}>
                    {label(r)}
                  </option>
                ))}
              </select>
            ) : (
              <span className="text-slate-600">{label(m.role)}</span>
            )}
            {canEdit && (
              <button type="button" onClick={() => void remove(m)} className="text-red-700 underline">
                Remove
              </button>
            )}
          </li>
        ))}
      </ul>
      {canEdit && (
        <form
          className="flex flex-wrap items-end gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            void put(email, role).then(() => setEmail(''));
          }}
        >
          <label className="text-sm">
            <span className="block text-slate-600">Email</span>
            <input type="email" required value={email} onChange={(e) => setEmail(e.target.value)} className="rounded border border-slate-300 px-2 py-1" />
          </label>
          <label className="text-sm">
            <span className="block text-slate-600">Role</span>
            <select value={role} onChange={(e) => setRole(e.target.value as Role)} className="rounded border border-slate-300 px-2 py-1">
              {roles.map((r) => (
                <option key={r} value={r}>
                  {label(r)}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" className="rounded bg-indigo-600 px-3 py-1.5 text-sm text-white">
            Add member
          </button>
        </form>
      )}
      {message && (
        <p role="status" className="text-sm text-slate-700">
          {message}
        </p>
      )}
    </div>
  );
}
