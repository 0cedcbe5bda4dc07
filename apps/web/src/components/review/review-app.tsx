'use client';

import Link from 'next/link';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { splits as SPLITS, type ApiErrorBody, type ReviewDto, type ReviewImageDetailDto, type ReviewImageDto, type Split } from '@segmenta/contracts';
import { ReviewCanvas, type ReviewPredictionView } from './review-canvas';
import { ReviewSingle } from './review-single';
import { ReviewStats } from './review-stats';

interface Props {
  projectId: string;
  runId: string;
  classes: { id: string; name: string; color: string }[];
  hasPredictions: boolean;
  hasCheckpoint: boolean;
  /** Starting inference needs the project's `predict` right, accepting predictions its `annotate` right. */
  canPredict: boolean;
  canAnnotate: boolean;
}

type Sort = 'error' | 'fp' | 'fn' | 'name';
const GRID_PAGE = 48;

const sorters: Record<Sort, (a: ReviewImageDto, b: ReviewImageDto) => number> = {
  error: () => 0, // the server's order
  fp: (a, b) => b.fp - a.fp,
  fn: (a, b) => b.fn - a.fn,
  name: (a, b) => a.fileName.localeCompare(b.fileName),
};

async function send(url: string, body: unknown): Promise<unknown> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = await res.json().catch(() => null);
  if (!res.ok) throw new Error((json as ApiErrorBody | null)?.error.message ?? `HTTP ${res.status}`);
  return json;
}

/**
 * The review page: statistics come from the server at the chosen threshold (debounced), while
 * drawing filters the already-fetched predictions of each image live.
 */
export function ReviewApp({ projectId, runId, classes, hasPredictions, hasCheckpoint, canPredict, canAnnotate }: Props) {
  const [threshold, setThreshold] = useState(0.5);
  const [classId, setClassId] = useState('');
  const [split, setSplit] = useState('');
  const [sort, setSort] = useState<Sort>('error');
  const [showGt, setShowGt] = useState(false);
  const [review, setReview] = useState<ReviewDto | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [details, setDetails] = useState<Record<string, ReviewImageDetailDto>>({});
  // The open image by id, not position: accepting re-sorts the list, and the view must stay on its image.
  const [openId, setOpenId] = useState<string | null>(null);
  const [limit, setLimit] = useState(GRID_PAGE);
  const [predicted, setPredicted] = useState(hasPredictions);
  const [predictSplit, setPredictSplit] = useState<Split>('val');
  const [notice, setNotice] = useState<string | null>(null);
  const [reload, setReload] = useState(0);
  const colors = useMemo(() => new Map(classes.map((c) => [c.id, c.color])), [classes]);

  useEffect(() => {
    if (!predicted) return;
    const q = new URLSearchParams({ scoreThreshold: String(threshold) });
    if (split) q.set('split', split);
    if (classId) q.set('classId', classId);
    const ctl = new AbortController();
    const t = setTimeout(async () => {
      try {
        const res = await fetch(`/api/runs/${runId}/review?${q}`, { signal: ctl.signal });
        const body = await res.json();
        if (!res.ok) throw new Error((body as ApiErrorBody).error.message);
        setReview(body as ReviewDto);
        setError(null);
      } catch (err) {
        if (!ctl.signal.aborted) setError((err as Error).message);
      }
    }, 200);
    return () => {
      clearTimeout(t);
      ctl.abort();
    };
  }, [runId, threshold, classId, split, predicted, reload]);

  const loadDetail = useCallback(
    async (imageId: string) => {
      const res = await fetch(`/api/runs/${runId}/review/images/${imageId}`);
      if (res.ok) {
        const d = (await res.json()) as ReviewImageDetailDto;
        setDetails((prev) => ({ ...prev, [imageId]: d }));
      }
    },
    [runId],
  );

  const images = useMemo(() => (review ? [...review.images].sort((a, b) => sorters[sort](a, b)) : []), [review, sort]);
  const visible = useCallback(
    (d: ReviewImageDetailDto): ReviewPredictionView[] => d.predictions.filter((p) => p.score >= threshold && (!classId || p.classId === classId)),
    [threshold, classId],
  );

  const openIndex = openId === null ? -1 : images.findIndex((r) => r.imageId === openId);
  const open = openIndex >= 0 ? openIndex : null;
  const move = useCallback(
    (delta: -1 | 1) => {
      if (open === null) return;
      const next = images[Math.max(0, Math.min(images.length - 1, open + delta))];
      if (next) setOpenId(next.imageId);
    },
    [images, open],
  );
  useEffect(() => {
    if (open === null) return;
    const onKey = (e: KeyboardEvent) => {
      const el = e.target as HTMLElement | null;
      if (el && ['INPUT', 'SELECT', 'TEXTAREA'].includes(el.tagName) && e.key !== 'Escape') return;
      if (e.key === 'ArrowLeft') move(-1);
      else if (e.key === 'ArrowRight') move(1);
      else if (e.key === 'Escape') setOpenId(null);
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open, move]);

  const openRow = open !== null ? images[open] : undefined;
  const openDetail = openRow ? details[openRow.imageId] : undefined;
  const openVisible = useMemo(() => (openDetail ? visible(openDetail) : []), [openDetail, visible]);
  useEffect(() => {
    if (openRow && !details[openRow.imageId]) void loadDetail(openRow.imageId);
  }, [openRow, details, loadDetail]);

  async function startInference(body: Record<string, unknown>, what: string) {
    setNotice(null);
    try {
      const job = (await send(`/api/runs/${runId}/predictions`, body)) as { jobId: string; epoch: number; runStatus: string };
      setNotice(`${what} queued (job ${job.jobId}, checkpoint of epoch ${job.epoch}${job.runStatus === 'running' ? ', the run is still training: its current best' : ''}).`);
      return true;
    } catch (err) {
      setNotice((err as Error).message);
      return false;
    }
  }

  async function predictSplitNow() {
    if (!(await startInference({ split: predictSplit }, `Predicting the ${predictSplit} split`))) return;
    for (let i = 0; i < 240; i++) {
      await new Promise((r) => setTimeout(r, 1500));
      const res = await fetch(`/api/runs/${runId}/predictions?limit=1`);
      if (res.ok && ((await res.json()) as { predictions: unknown[] }).predictions.length > 0) {
        setPredicted(true);
        return;
      }
    }
    setNotice('No predictions yet: the job may still be running, or the model found nothing. Reload later.');
  }

  const preAnnotate = (
    <button
      type="button"
      disabled={!hasCheckpoint || !canPredict}
      onClick={() => startInference({ unlabelledOnly: true, preAnnotate: { scoreThreshold: threshold } }, `Pre-annotating unlabelled images at score ≥ ${threshold.toFixed(2)}`)}
      className="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-50 disabled:opacity-40"
    >
      Pre-annotate unlabelled images
    </button>
  );
  const noticeLine = notice && (
    <p role="status" className="text-sm text-slate-700">
      {notice}
    </p>
  );

  if (!predicted) {
    return (
      <div className="space-y-3 rounded-lg border border-slate-200 bg-white p-4">
        <p>This run has no predictions yet.</p>
        {hasCheckpoint ? (
          <div className="flex flex-wrap items-center gap-3">
            <label className="flex items-center gap-2 text-sm">
              Split
              <select value={predictSplit} onChange={(e) => setPredictSplit(e.target.value as Split)} className="rounded border border-slate-300 px-2 py-1">
                {SPLITS.map((s) => (
                  <option key={s}>{s}</option>
                ))}
              </select>
            </label>
            <button type="button" onClick={predictSplitNow} disabled={!canPredict} className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm text-white disabled:opacity-40">
              Predict this split
            </button>
            {preAnnotate}
          </div>
        ) : (
          <p className="text-sm text-slate-600">It has no checkpoint either: predictions need a run that has finished at least one epoch.</p>
        )}
        {noticeLine}
      </div>
    );
  }

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end gap-4 rounded-lg border border-slate-200 bg-white p-3">
        <label className="flex flex-col text-sm">
          <span>
            Score threshold <output className="tabular-nums">{threshold.toFixed(2)}</output>
          </span>
          <input type="range" min={0} max={1} step={0.05} value={threshold} onChange={(e) => setThreshold(Number(e.target.value))} aria-label="Score threshold" className="w-48" />
        </label>
        <label className="flex flex-col text-sm">
          Class
          <select value={classId} onChange={(e) => setClassId(e.target.value)} className="rounded border border-slate-300 px-2 py-1">
            <option value="">All classes</option>
            {classes.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col text-sm">
          Images
          <select value={split} onChange={(e) => setSplit(e.target.value)} className="rounded border border-slate-300 px-2 py-1">
            <option value="">All predicted</option>
            {SPLITS.map((s) => (
              <option key={s} value={s}>
                {s} split
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col text-sm">
          Sort by
          <select value={sort} onChange={(e) => setSort(e.target.value as Sort)} className="rounded border border-slate-300 px-2 py-1">
            <option value="error">Error (worst first)</option>
            <option value="fp">False positives</option>
            <option value="fn">Missed instances</option>
            <option value="name">File name</option>
          </select>
        </label>
        <label className="flex items-center gap-1.5 text-sm">
          <input type="checkbox" checked={showGt} onChange={(e) => setShowGt(e.target.checked)} />
          Show ground truth
        </label>
        {preAnnotate}
      </div>
      {noticeLine}
      {error && (
        <p role="alert" className="text-sm text-red-700">
          {error}
        </p>
      )}
      {!review ? (
        <p className="text-sm text-slate-500">Loading…</p>
      ) : open !== null && openRow ? (
        <ReviewSingle
          projectId={projectId}
          runId={runId}
          canAnnotate={canAnnotate}
          detail={openDetail}
          row={openRow}
          visible={openVisible}
          threshold={threshold}
          showGroundTruth={showGt}
          colors={colors}
          position={open}
          total={images.length}
          onMove={move}
          onClose={() => setOpenId(null)}
          onChanged={async () => {
            await loadDetail(openRow.imageId);
            setReload((n) => n + 1);
          }}
        />
      ) : (
        <>
          <ReviewStats review={review} />
          <ul aria-label="Review images" className="grid grid-cols-[repeat(auto-fill,minmax(250px,1fr))] gap-3">
            {images.slice(0, limit).map((row) => (
              <ReviewCard key={row.imageId} row={row} detail={details[row.imageId]} load={loadDetail} visible={visible} showGt={showGt} colors={colors} projectId={projectId} onOpen={() => setOpenId(row.imageId)} />
            ))}
          </ul>
          {images.length === 0 && <p className="text-sm text-slate-500">No images to review with these filters.</p>}
          {images.length > limit && (
            <button type="button" onClick={() => setLimit((l) => l + GRID_PAGE)} className="rounded-md border border-slate-300 px-3 py-1.5 text-sm">
              Show more ({images.length - limit} left)
            </button>
          )}
        </>
      )}
    </div>
  );
}

interface CardProps {
  row: ReviewImageDto;
  detail: ReviewImageDetailDto | undefined;
  load: (imageId: string) => Promise<void>;
  visible: (d: ReviewImageDetailDto) => ReviewPredictionView[];
  showGt: boolean;
  colors: Map<string, string>;
  projectId: string;
  onOpen: () => void;
}

function ReviewCard({ row, detail, load, visible, showGt, colors, projectId, onOpen }: CardProps) {
  useEffect(() => {
    if (!detail) void load(row.imageId);
  }, [detail, load, row.imageId]);
  const shown = useMemo(() => (detail ? visible(detail) : []), [detail, visible]);
  return (
    <li className="space-y-1 rounded-lg border border-slate-200 bg-white p-2" data-image-id={row.imageId}>
      <button type="button" onClick={onOpen} className="block w-full text-left" aria-label={`Open ${row.fileName}`}>
        {detail ? (
          <ReviewCanvas detail={detail} predictions={shown} showPredictions showGroundTruth={showGt} colors={colors} width={234} label={`Predictions on ${row.fileName}`} />
        ) : (
          <div className="h-40 animate-pulse rounded bg-slate-100" />
        )}
      </button>
      <div className="flex items-center justify-between gap-2 text-xs">
        <span className="truncate" title={row.fileName}>
          {row.fileName}
        </span>
        <Link href={`/projects/${projectId}/images/${row.imageId}`} className="shrink-0 text-indigo-700 underline">
          Edit
        </Link>
      </div>
      <p className="text-xs tabular-nums text-slate-600">
        {row.labelled ? (
          <>
            TP {row.tp} · FP <span className={row.fp ? 'text-red-700' : ''}>{row.fp}</span> · missed <span className={row.fn ? 'text-red-700' : ''}>{row.fn}</span> · error {row.errorScore!.toFixed(2)}
          </>
        ) : (
          <>Not labelled yet · {row.predictions} prediction(s)</>
        )}
      </p>
    </li>
  );
}
