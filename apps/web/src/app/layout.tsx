import type { Metadata } from 'next';
import Link from 'next/link';
import { SignOutButton } from '@/components/sign-out-button';
import { currentPrincipal } from '@/server/auth/page';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Segmenta', template: '%s · Segmenta' },
  description: 'From raw photos to an instance-segmentation model, on your own machines.',
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const user = await currentPrincipal();
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-50 font-sans text-slate-900 antialiased">
        <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:rounded focus:bg-white focus:px-3 focus:py-2">
          Skip to content
        </a>
        <header className="border-b border-slate-200 bg-white">
          <nav aria-label="Main" className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3">
            <Link href="/projects" className="text-lg font-semibold tracking-tight text-indigo-700">
              Segmenta
            </Link>
            <Link href="/projects" className="text-sm text-slate-600 hover:text-slate-900">
              Projects
            </Link>
            <Link href="/try" className="text-sm text-slate-600 hover:text-slate-900">
              Try a model
            </Link>
            <a href="/api/health" className="text-sm text-slate-600 hover:text-slate-900">
              System health
            </a>
            {user && (
              <span className="ml-auto flex items-center gap-4">
                {user.role === 'admin' && (
                  <Link href="/admin/users" className="text-sm text-slate-600 hover:text-slate-900">
                    Users
                  </Link>
                )}
                <Link href="/account" className="text-sm text-slate-600 hover:text-slate-900" aria-label={`Account (${user.email})`}>
                  {user.email}
                </Link>
                <SignOutButton />
              </span>
            )}
          </nav>
        </header>
        <main id="main" className="mx-auto max-w-6xl px-4 py-6">
          {children}
        </main>
      </body>
    </html>
  );
}
