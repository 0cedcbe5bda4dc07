'use client';

import { useCallback, useRef, useState } from 'react';
import type { ApiErrorBody, UploadResultDto } from '@segmenta/contracts';

type State = 'queued' | 'hashing' | 'uploading' | 'stored' | 'duplicate' | 'skipped' | 'failed';
interface Item {
  key: string;
  file: File;
  state: State;
  progress: number;
  message?: string;
}

const LABEL: Record<State, string> = {
  queued: 'Queued',
  hashing: 'Checking…',
  uploading: 'Uploading',
  stored: 'Stored',
  duplicate: 'Duplicate',
  skipped: 'Already stored',
  failed: 'Failed',
};

async function sha256Hex(file: File): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** One file per request, so each gets its own progress bar and result, and a dropped connection loses one file at most. */
function send(projectId: string, file: File, onProgress: (f: number) => void): Promise<UploadResultDto> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/projects/${projectId}/images`);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => {
      try {
        const body = JSON.parse(xhr.responseText) as UploadResultDto | ApiErrorBody;
        if ('error' in body) reject(new Error(body.error.message));
        else resolve(body);
      } catch {
        reject(new Error(`HTTP ${xhr.status}`));
      }
    };
    xhr.onerror = () => reject(new Error('connection lost'));
    const form = new FormData();
    form.append('files', file, file.name);
    xhr.send(form);
  });
}

export function Uploader({ projectId }: { projectId: string }) {
  const [items, setItems] = useState<Item[]>([]);
  const [busy, setBusy] = useState(false);
  const [dragging, setDragging] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const update = (key: string, patch: Partial<Item>) => setItems((all) => all.map((i) => (i.key === key ? { ...i, ...patch } : i)));

  const run = useCallback(
    async (queue: Item[]) => {
      setBusy(true);
      try {
        // Resumable: hash first, ask which files the project already has, send only the rest.
        const images = queue.filter((i) => !/\.zip$/i.test(i.file.name));
        const hashes = new Map<string, string>();
        for (const it of images) {
          update(it.key, { state: 'hashing' });
          hashes.set(it.key, await sha256Hex(it.file));
        }
        let existing: Record<string, string> = {};
        if (hashes.size) {
          const res = await fetch(`/api/projects/${projectId}/images/check`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sha256: [...new Set(hashes.values())] }) });
          if (res.ok) existing = ((await res.json()) as { existing: Record<string, string> }).existing;
        }
        for (const it of queue) {
          const h = hashes.get(it.key);
          if (h && existing[h]) {
            update(it.key, { state: 'skipped', progress: 1 });
            continue;
          }
          update(it.key, { state: 'uploading', progress: 0 });
          try {
            const result = await send(projectId, it.file, (p) => update(it.key, { progress: p }));
            const stored = result.images.length;
            const dup = result.images.filter((i) => i.duplicateOf).length;
            const message = [stored ? `${stored} image${stored > 1 ? 's' : ''}` : '', ...result.errors.map((e) => `${e.fileName}: ${e.message}`)].filter(Boolean).join(' · ');
            update(it.key, { state: result.errors.length && !stored ? 'failed' : dup === stored && stored > 0 ? 'duplicate' : 'stored', progress: 1, message });
          } catch (err) {
            update(it.key, { state: 'failed', message: `${(err as Error).message}; choose the files again to resume` });
          }
        }
      } finally {
        setBusy(false);
      }
    },
    [projectId],
  );

  const add = (files: FileList | null) => {
    if (!files?.length) return;
    const queue = Array.from(files, (file, n) => ({ key: `${Date.now()}-${n}-${file.name}`, file, state: 'queued' as State, progress: 0 }));
    setItems((all) => [...queue, ...all]);
    void run(queue);
  };

  return (
    <div className="space-y-4">
      <div
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => {
          e.preventDefault();
          setDragging(false);
          add(e.dataTransfer.files);
        }}
        className={`rounded-lg border-2 border-dashed p-8 text-center ${dragging ? 'border-indigo-500 bg-indigo-50' : 'border-slate-300 bg-white'}`}
      >
        <p className="text-slate-700">Drop photos or a .zip of a folder here</p>
        <p className="mt-1 text-sm text-slate-500">JPEG, PNG, WebP, TIFF, AVIF, GIF · up to 50 MB each</p>
        <button type="button" onClick={() => input.current?.click()} className="mt-4 rounded-md bg-indigo-600 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-700">
          Choose files
        </button>
        <input ref={input} type="file" multiple accept="image/*,.zip" aria-label="Choose files to upload" className="sr-only" onChange={(e) => add(e.target.files)} />
      </div>
      {items.length > 0 && (
        <ul aria-label="Upload results" aria-busy={busy} className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white text-sm">
          {items.map((it) => (
            <li key={it.key} data-state={it.state} className="flex flex-wrap items-center gap-3 px-3 py-2">
              <span className="min-w-0 flex-1 truncate" title={it.file.name}>
                {it.file.name}
              </span>
              <span className="w-28">
                <span className="block h-1.5 rounded bg-slate-100" aria-hidden>
                  <span className={`block h-1.5 rounded ${it.state === 'failed' ? 'bg-red-500' : 'bg-indigo-500'}`} style={{ width: `${Math.round(it.progress * 100)}%` }} />
                </span>
              </span>
              <span className={`w-28 text-right ${it.state === 'failed' ? 'text-red-700' : 'text-slate-600'}`}>{LABEL[it.state]}</span>
              {it.message && <span className="basis-full text-xs text-slate-500">{it.message}</span>}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
