import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { SignInForm } from '@/components/sign-in-form';
import { currentPrincipal } from '@/server/auth/page';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Sign in' };

/** Only same-site paths are followed after sign-in, so the page cannot be used to bounce users elsewhere. */
const safeNext = (next: string | undefined) => (next && next.startsWith('/') && !next.startsWith('//') ? next : '/projects');

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const next = safeNext((await searchParams).next);
  if (await currentPrincipal()) redirect(next);
  return (
    <div className="mx-auto max-w-sm space-y-4 pt-10">
      <h1 className="text-2xl font-semibold">Sign in to Segmenta</h1>
      <SignInForm next={next} />
    </div>
  );
}
