'use client';

export function SignOutButton() {
  return (
    <button
      type="button"
      className="text-sm text-slate-600 hover:text-slate-900"
      onClick={async () => {
        await fetch('/api/auth/sign-out', { method: 'POST' });
        window.location.assign('/sign-in');
      }}
    >
      Sign out
    </button>
  );
}
