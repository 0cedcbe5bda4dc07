'use client';

import Link from 'next/link';
import { useEffect, useState } from 'react';
import type { ImageNeighboursDto, ImageStatus } from '@segmenta/contracts';

interface Props {
  projectId: string;
  imageId: string;
  /** Gallery filters carried through the editor URL so next/previous follow the same list. */
  query: string;
  status: ImageStatus;
  reviewComment: string | null;
  onStatus: (status: ImageStatus, reviewComment: string | null) => void;
}

const LABEL: Record<ImageStatus, string> = { unlabelled: 'Unlabelled', in_progress: 'In progress', done: 'Done', needs_review: 'Needs review', reviewed: 'Reviewed', rejected: 'Rejected' };
const TONE: Record<ImageStatus, string> = {
  unlabelled: 'bg-slate-100 text-slate-700',
  in_progress: 'bg-sky-100 text-sky-800',
  done: 'bg-emerald-100 text-emerald-800',
  needs_review: 'bg-amber-100 text-amber-900',
  reviewed: 'bg-indigo-100 text-indigo-800',
  rejected: 'bg-red-100 text-red-800',
};

export function FlowBar({ projectId, imageId, query, status, reviewComment, onStatus }: Props) {
  const [nb, setNb] = useState<ImageNeighboursDto | null>(null);
  const [rejecting, setRejecting] = useState(false);
  const [comment, setComment] = useState('');
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    fetch(`/api/images/${imageId}/neighbours${query ? `?${query}` : ''}`)
      .then((r) => (r.ok ? r.json() : null))
      .then((b) => !cancelled && setNb(b))
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [imageId, query]);

  async function setStatus(next: ImageStatus, text?: string) {
    setError(null);
    const res = await fetch(`/api/images/${imageId}/status`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: next, ...(text ? { comment: text } : {}) }) }).catch(() => null);
    const body = await res?.json().catch(() => null);
    if (!res?.ok) return setError(body?.error?.message ?? 'could not change the status (offline?)');
    onStatus(body.status, body.reviewComment ?? null);
    setRejecting(false);
    setComment('');
  }

  const href = (id: string) => `/projects/${projectId}/images/${id}${query ? `?${query}` : ''}`;
  const nav = 'rounded-md border border-slate-300 bg-white px-2.5 py-1 text-sm hover:bg-slate-50';
  const off = 'rounded-md border border-slate-200 px-2.5 py-1 text-sm text-slate-400';
  const act = 'rounded-md px-2.5 py-1 text-sm text-white disabled:opacity-50';
  return (
    <section aria-label="Review flow" className="space-y-2">
      <div className="flex flex-wrap items-center gap-2">
        <span data-testid="image-status" data-status={status} className={`rounded px-2 py-0.5 text-xs font-medium ${TONE[status]}`}>
          {LABEL[status]}
        </span>
        {nb && <span className="text-xs text-slate-500">{nb.position} of {nb.total}</span>}
      </div>
      {reviewComment && (
        <p className="rounded border border-red-200 bg-red-50 p-2 text-sm text-red-900">
          <span className="font-medium">Review comment:</span> {reviewComment}
        </p>
      )}
      <nav aria-label="Images" className="flex flex-wrap gap-1.5">
        {nb?.previous ? <Link className={nav} href={href(nb.previous)}>← Previous</Link> : <span className={off}>← Previous</span>}
        {nb?.next ? <Link className={nav} href={href(nb.next)}>Next →</Link> : <span className={off}>Next →</span>}
        {nb?.nextUnlabelled && nb.nextUnlabelled !== imageId ? <Link className={nav} href={href(nb.nextUnlabelled)}>Next unlabelled</Link> : <span className={off}>Next unlabelled</span>}
      </nav>
      <div className="flex flex-wrap gap-1.5">
        <button type="button" className={`${act} bg-emerald-700 hover:bg-emerald-800`} disabled={status === 'done'} onClick={() => setStatus('done')}>Mark done</button>
        <button type="button" className={`${act} bg-amber-600 hover:bg-amber-700`} disabled={status === 'needs_review'} onClick={() => setStatus('needs_review')}>Needs review</button>
        <button type="button" className={`${act} bg-indigo-700 hover:bg-indigo-800`} disabled={status === 'reviewed'} onClick={() => setStatus('reviewed')}>Accept</button>
        <button type="button" className={`${act} bg-red-700 hover:bg-red-800`} onClick={() => setRejecting((r) => !r)} aria-expanded={rejecting}>Reject…</button>
        {status !== 'in_progress' && status !== 'unlabelled' && (
          <button type="button" className="rounded-md border border-slate-300 bg-white px-2.5 py-1 text-sm hover:bg-slate-50" onClick={() => setStatus('in_progress')}>Reopen</button>
        )}
      </div>
      {rejecting && (
        <form className="space-y-1.5" onSubmit={(e) => { e.preventDefault(); void setStatus('rejected', comment.trim()); }}>
          <label className="block text-sm">
            <span className="text-slate-600">Why is it rejected?</span>
            <textarea aria-label="Review comment" required value={comment} onChange={(e) => setComment(e.target.value)} rows={2} className="mt-1 w-full rounded border border-slate-300 p-1.5 text-sm" />
          </label>
          <button type="submit" className={`${act} bg-red-700`} disabled={!comment.trim()}>Reject with comment</button>
        </form>
      )}
      {error && <p role="alert" className="text-sm text-red-700">{error}</p>}
    </section>
  );
}
