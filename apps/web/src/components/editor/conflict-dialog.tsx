'use client';

import { useEffect, useRef, useState } from 'react';
import type { ConflictChoice } from './use-autosave';

/** A stale save: the user picks which side wins; nothing is dropped without asking. */
export function ConflictDialog({ onChoose }: { onChoose: (c: ConflictChoice) => Promise<void> }) {
  const [busy, setBusy] = useState(false);
  const first = useRef<HTMLButtonElement>(null);
  useEffect(() => first.current?.focus(), []);
  const choose = async (c: ConflictChoice) => {
    setBusy(true);
    try {
      await onChoose(c);
    } finally {
      setBusy(false);
    }
  };
  const btn = 'rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm hover:bg-slate-50 disabled:opacity-50';
  return (
    <div className="fixed inset-0 z-50 flex items-center justify-center bg-slate-900/40">
      <div role="dialog" aria-modal="true" aria-labelledby="conflict-title" aria-describedby="conflict-text" className="max-w-md space-y-3 rounded-lg bg-white p-5 shadow-xl">
        <h2 id="conflict-title" className="text-lg font-semibold">
          Someone else saved this image
        </h2>
        <p id="conflict-text" className="text-sm text-slate-600">
          The annotations changed on the server since you loaded them. Your edits are kept on this device until you choose.
        </p>
        <div className="flex flex-wrap gap-2">
          <button ref={first} type="button" disabled={busy} className={btn} onClick={() => choose('both')}>
            Keep both
          </button>
          <button type="button" disabled={busy} className={btn} onClick={() => choose('mine')}>
            Keep mine
          </button>
          <button type="button" disabled={busy} className={btn} onClick={() => choose('theirs')}>
            Load server version
          </button>
        </div>
        <p className="text-xs text-slate-500">Keep both: the server&apos;s regions plus the ones you drew or changed. Keep mine: your version replaces the server&apos;s. Load server version: your edits stay undoable (Ctrl+Z).</p>
      </div>
    </div>
  );
}
