'use client';

import { useVirtualizer } from '@tanstack/react-virtual';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { ImageDto, LabelClassDto } from '@segmenta/contracts';

const TILE = 168;
const STATUSES = ['unlabelled', 'in_progress', 'done', 'needs_review', 'reviewed', 'rejected'] as const;
const SPLITS = ['train', 'val', 'test', 'unassigned'] as const;
const STATUS_TONE: Record<ImageDto['status'], string> = {
  unlabelled: 'bg-white/90 text-slate-700',
  in_progress: 'bg-sky-100 text-sky-800',
  done: 'bg-emerald-100 text-emerald-800',
  needs_review: 'bg-amber-100 text-amber-900',
  reviewed: 'bg-indigo-100 text-indigo-800',
  rejected: 'bg-red-100 text-red-800',
};

/**
 * Thousands of images: pages come from the keyset API as the user scrolls, and only the rows on
 * screen are rendered.
 */
export function Gallery({ projectId, classes }: { projectId: string; classes: LabelClassDto[] }) {
  const [filters, setFilters] = useState({ split: '', status: '', classId: '' });
  const [images, setImages] = useState<ImageDto[]>([]);
  const [cursor, setCursor] = useState<string | null | undefined>(undefined);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [columns, setColumns] = useState(4);
  const [notice, setNotice] = useState<string | null>(null);
  const router = useRouter();
  const scroller = useRef<HTMLDivElement>(null);
  const generation = useRef(0);

  const load = useCallback(
    async (reset: boolean) => {
      const gen = reset ? ++generation.current : generation.current;
      setLoading(true);
      const q = new URLSearchParams({ limit: '120', ...Object.fromEntries(Object.entries(filters).filter(([, v]) => v)) });
      if (!reset && cursor) q.set('cursor', cursor);
      try {
        const res = await fetch(`/api/projects/${projectId}/images?${q}`);
        const body = await res.json();
        if (gen !== generation.current) return;
        if (!res.ok) throw new Error(body.error?.message ?? `HTTP ${res.status}`);
        setImages((prev) => (reset ? body.images : [...prev, ...body.images]));
        setCursor(body.nextCursor);
        setError(null);
      } catch (err) {
        setError((err as Error).message);
      } finally {
        setLoading(false);
      }
    },
    [projectId, filters, cursor],
  );

  useEffect(() => {
    setSelected(new Set());
    void load(true);
  }, [filters]);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setColumns(Math.max(1, Math.floor(el.clientWidth / TILE))));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // The editor walks previous/next through the same filtered list.
  const carried = new URLSearchParams(Object.entries({ split: filters.split, status: filters.status }).filter(([, v]) => v)).toString();
  const filterQuery = carried ? `?${carried}` : '';
  const rows = Math.ceil(images.length / columns);
  const virtual = useVirtualizer({ count: rows, getScrollElement: () => scroller.current, estimateSize: () => TILE, overscan: 3 });
  const items = virtual.getVirtualItems();
  const lastRow = items[items.length - 1]?.index ?? 0;
  useEffect(() => {
    if (cursor && !loading && lastRow >= rows - 3) void load(false);
  }, [lastRow, rows, cursor, loading, load]);

  const toggle = (id: string) => setSelected((s) => new Set(s.has(id) ? [...s].filter((x) => x !== id) : [...s, id]));

  async function assign(split: string) {
    const res = await fetch(`/api/projects/${projectId}/splits`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ imageIds: [...selected], split }) });
    const body = await res.json();
    setNotice(res.ok ? `${body.updated} image(s) moved to ${split}` : body.error.message);
    setSelected(new Set());
    void load(true);
    router.refresh(); // the split counts above the grid are server-rendered
  }

  async function autoSplit() {
    const res = await fetch(`/api/projects/${projectId}/splits`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ train: 0.7, val: 0.15, test: 0.15, seed: 42 }) });
    const body = await res.json();
    setNotice(res.ok ? `Split 70/15/15 (seed 42): train ${body.splitCounts.train}, val ${body.splitCounts.val}, test ${body.splitCounts.test}` : body.error.message);
    void load(true);
    router.refresh();
  }

  const select = 'rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm';
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center gap-2" role="group" aria-label="Filters">
        <select aria-label="Split" className={select} value={filters.split} onChange={(e) => setFilters({ ...filters, split: e.target.value })}>
          <option value="">All splits</option>
          {SPLITS.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
        <select aria-label="Status" className={select} value={filters.status} onChange={(e) => setFilters({ ...filters, status: e.target.value })}>
          <option value="">Any status</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s.replace('_', ' ')}
            </option>
          ))}
        </select>
        <select aria-label="Class" className={select} value={filters.classId} onChange={(e) => setFilters({ ...filters, classId: e.target.value })}>
          <option value="">Any class</option>
          {classes.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </select>
        <span className="ml-auto flex flex-wrap gap-2">
          {selected.size > 0 &&
            (['train', 'val', 'test'] as const).map((s) => (
              <button key={s} onClick={() => assign(s)} className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm hover:bg-slate-50">
                {selected.size} → {s}
              </button>
            ))}
          <button onClick={autoSplit} className="rounded-md bg-slate-800 px-3 py-1.5 text-sm text-white hover:bg-slate-900">
            Auto split 70/15/15
          </button>
        </span>
      </div>
      {notice && (
        <p role="status" className="text-sm text-slate-600">
          {notice}
        </p>
      )}
      {error && (
        <p role="alert" className="text-sm text-red-700">
          {error}
        </p>
      )}
      <div ref={scroller} className="h-[70vh] overflow-auto rounded-lg border border-slate-200 bg-white" aria-label="Images" role="region">
        {images.length === 0 && !loading && <p className="p-8 text-center text-slate-500">No images match.</p>}
        <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
          {items.map((row) => (
            <div key={row.key} className="absolute left-0 flex w-full gap-2 px-2 py-1" style={{ top: row.start, height: TILE }}>
              {images.slice(row.index * columns, row.index * columns + columns).map((img) => (
                <figure key={img.id} className={`relative flex-1 overflow-hidden rounded border ${selected.has(img.id) ? 'border-indigo-500 ring-2 ring-indigo-300' : 'border-slate-200'}`} style={{ maxWidth: TILE - 8 }}>
                  <Link href={`/projects/${projectId}/images/${img.id}${filterQuery}`}>
                    {/* Small webp thumbnails through the checked file route. */}
                    <img src={`/api/images/${img.id}/file?variant=thumb`} alt={img.fileName} loading="lazy" className="h-[120px] w-full bg-slate-100 object-cover" />
                  </Link>
                  <figcaption className="flex items-center gap-1 px-1.5 py-1 text-xs text-slate-600">
                    <input type="checkbox" aria-label={`Select ${img.fileName}`} checked={selected.has(img.id)} onChange={() => toggle(img.id)} />
                    <span className="truncate">{img.fileName}</span>
                    <span className="ml-auto rounded bg-slate-100 px-1">{img.split}</span>
                  </figcaption>
                  <span data-status={img.status} className={`absolute left-1 top-1 rounded px-1 text-[10px] font-medium ${STATUS_TONE[img.status]}`}>
                    {img.status.replace('_', ' ')}
                  </span>
                </figure>
              ))}
            </div>
          ))}
        </div>
      </div>
      <p className="text-xs text-slate-500">
        {images.length} loaded{cursor ? ' · scroll for more' : ''}
      </p>
    </div>
  );
}
