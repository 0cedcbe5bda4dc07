import type { Metadata } from 'next';
import { listApiTokens } from '@segmenta/db';
import { AccountForms } from '@/components/account-forms';
import { pagePrincipal } from '@/server/auth/page';
import { getServer } from '@/server/context';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Account' };

export default async function AccountPage() {
  const principal = await pagePrincipal();
  const tokens = await listApiTokens(getServer().db, principal.userId);
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Account</h1>
      <p className="text-slate-600">
        Signed in as <strong>{principal.email}</strong> ({principal.role}).
      </p>
      <AccountForms tokens={tokens} />
    </div>
  );
}
