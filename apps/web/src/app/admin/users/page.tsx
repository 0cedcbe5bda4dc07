import type { Metadata } from 'next';
import { listUsers } from '@segmenta/db';
import { UsersAdmin } from '@/components/users-admin';
import { pagePrincipal } from '@/server/auth/page';
import { getServer } from '@/server/context';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Users' };

export default async function UsersPage() {
  const principal = await pagePrincipal();
  if (principal.role !== 'admin') {
    return (
      <p role="alert" data-status="403" className="rounded-lg border border-amber-300 bg-amber-50 p-4 text-amber-900">
        Only admins manage users.
      </p>
    );
  }
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">Users</h1>
      <UsersAdmin users={await listUsers(getServer().db)} selfId={principal.userId} />
    </div>
  );
}
