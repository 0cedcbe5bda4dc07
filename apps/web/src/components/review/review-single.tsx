'use client';

import Link from 'next/link';
import { useState } from 'react';
import type { ApiErrorBody, ReviewImageDetailDto, ReviewImageDto } from '@segmenta/contracts';
import { ReviewCanvas, type ReviewPredictionView } from './review-canvas';

interface Props {
  projectId: string;
  runId: string;
  canAnnotate: boolean;
  detail: ReviewImageDetailDto | undefined;
  row: ReviewImageDto;
  visible: ReviewPredictionView[];
  threshold: number;
  showGroundTruth: boolean;
  colors: Map<string, string>;
  position: number;
  total: number;
  onMove: (delta: -1 | 1) => void;
  onClose: () => void;
  /** After an accept: reload this image and the statistics. */
  onChanged: () => Promise<void>;
}

async function post(url: string, body: unknown): Promise<void> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(((await res.json().catch(() => null)) as ApiErrorBody | null)?.error.message ?? `HTTP ${res.status}`);
}

/** One image large: predictions (and ground truth) over it, optionally next to the ground truth alone, with accept buttons. */
export function ReviewSingle({ projectId, runId, canAnnotate, detail, row, visible, threshold, showGroundTruth, colors, position, total, onMove, onClose, onChanged }: Props) {
  const [sideBySide, setSideBySide] = useState(true);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);

  async function act(what: () => Promise<void>, done: string) {
    setBusy(true);
    setMessage(null);
    try {
      await what();
      await onChanged();
      setMessage(done);
    } catch (err) {
      setMessage((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  const width = sideBySide ? 520 : 880;
  const pending = visible.filter((p) => !p.accepted && p.classId);
  const modelMade = detail?.groundTruth.filter((a) => a.source === 'model').length ?? 0;
  return (
    <section aria-label={`Image ${row.fileName}`} className="space-y-3">
      <div className="flex flex-wrap items-center gap-3">
        <button type="button" onClick={onClose} className="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-50">
          ← Grid (Esc)
        </button>
        <button type="button" onClick={() => onMove(-1)} disabled={position === 0} className="rounded-md border border-slate-300 px-3 py-1.5 text-sm disabled:opacity-40">
          Previous (←)
        </button>
        <button type="button" onClick={() => onMove(1)} disabled={position >= total - 1} className="rounded-md border border-slate-300 px-3 py-1.5 text-sm disabled:opacity-40">
          Next (→)
        </button>
        <span className="text-sm text-slate-600">
          {position + 1} / {total} · <strong>{row.fileName}</strong> · TP {row.tp} · FP {row.fp} · missed {row.fn}
          {row.errorScore !== null && ` · error ${row.errorScore.toFixed(2)}`}
        </span>
        <label className="flex items-center gap-1.5 text-sm">
          <input type="checkbox" checked={sideBySide} onChange={(e) => setSideBySide(e.target.checked)} />
          Side by side
        </label>
        <Link href={`/projects/${projectId}/images/${row.imageId}`} className="text-sm text-indigo-700 underline">
          Open in editor
        </Link>
      </div>
      {!detail ? (
        <p className="text-sm text-slate-500">Loading…</p>
      ) : (
        <div className="flex flex-wrap gap-6">
          <figure className="space-y-1">
            <ReviewCanvas detail={detail} predictions={visible} showPredictions showGroundTruth={showGroundTruth} colors={colors} width={width} label={`Predictions on ${row.fileName}`} />
            <figcaption className="text-xs text-slate-500">Predictions{showGroundTruth ? ' (ground truth dashed)' : ''}</figcaption>
          </figure>
          {sideBySide && (
            <figure className="space-y-1">
              <ReviewCanvas detail={detail} predictions={[]} showPredictions={false} showGroundTruth colors={colors} width={width} label={`Ground truth of ${row.fileName}`} />
              <figcaption className="text-xs text-slate-500">Annotations (model-made dotted)</figcaption>
            </figure>
          )}
        </div>
      )}
      {detail && (
        <div className="space-y-2">
          <p data-testid="annotation-count" aria-live="polite" className="text-sm">
            {detail.groundTruth.length} annotation{detail.groundTruth.length === 1 ? '' : 's'} on this image ({modelMade} model-made)
          </p>
          <div className="flex flex-wrap items-center gap-3">
            <button
              type="button"
              disabled={busy || !canAnnotate || pending.length === 0}
              onClick={() => act(() => post(`/api/runs/${runId}/predictions/accept`, { imageIds: [row.imageId], scoreThreshold: threshold }), 'Accepted every prediction above the threshold')}
              className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm text-white disabled:opacity-40"
            >
              Accept all above {threshold.toFixed(2)}
            </button>
            {message && (
              <span role="status" className="text-sm text-slate-700">
                {message}
              </span>
            )}
          </div>
          <ul aria-label="Predictions" className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white text-sm">
            {visible.length === 0 && <li className="px-3 py-2 text-slate-500">No prediction at or above {threshold.toFixed(2)}.</li>}
            {visible.map((p) => (
              <li key={p.id} data-prediction-id={p.id} className="flex items-center gap-3 px-3 py-1.5">
                <span className="inline-block h-3 w-3 rounded-sm" style={{ background: colors.get(p.classId ?? '') ?? '#f0f' }} aria-hidden />
                <span className="w-32">{p.className ?? `class ${p.classIndex} (deleted)`}</span>
                <span className="w-16 tabular-nums">{p.score.toFixed(3)}</span>
                <button
                  type="button"
                  disabled={busy || !canAnnotate || p.accepted || !p.classId}
                  aria-label={`Accept ${p.className ?? 'prediction'} ${p.score.toFixed(3)}`}
                  onClick={() => act(() => post(`/api/predictions/${p.id}/accept`, {}), `Accepted ${p.className} ${p.score.toFixed(3)} as an annotation`)}
                  className="rounded border border-slate-300 px-2 py-0.5 hover:bg-slate-50 disabled:opacity-40"
                >
                  {p.accepted ? 'Accepted' : 'Accept'}
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
