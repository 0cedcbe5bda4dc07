'use client';

import { useState } from 'react';
import type { ApiErrorBody } from '@segmenta/contracts';

interface Result {
  category_name: string;
  score: number;
  bbox: number[];
}

/** The Gradio replacement: one image in, the masked overlay and the instance list out. */
export function TryIt({ runs }: { runs: { id: string; label: string }[] }) {
  const [runId, setRunId] = useState(runs[0]?.id ?? '');
  const [threshold, setThreshold] = useState(0.5);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [overlay, setOverlay] = useState<string | null>(null);
  const [results, setResults] = useState<Result[] | null>(null);
  const [json, setJson] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  async function run(file: File) {
    setBusy(true);
    setError(null);
    const form = () => {
      const f = new FormData();
      f.append('image', file, file.name);
      if (runId) f.append('runId', runId);
      f.append('scoreThreshold', String(threshold));
      return f;
    };
    try {
      const [res, png] = await Promise.all([fetch('/api/predict', { method: 'POST', body: form() }), fetch('/api/predict?format=png', { method: 'POST', body: form() })]);
      if (!res.ok) throw new Error(((await res.json()) as ApiErrorBody).error.message);
      const body = (await res.json()) as Result[];
      // e.g. the run is still training and its best checkpoint so far answered
      setNotice(res.headers.get('x-segmenta-notice'));
      setResults(body);
      setJson(URL.createObjectURL(new Blob([JSON.stringify(body, null, 2)], { type: 'application/json' })));
      if (png.ok) setOverlay(URL.createObjectURL(await png.blob()));
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  if (runs.length === 0) return <p className="text-slate-600">No trained model yet: launch a training run first.</p>;
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end gap-4 rounded-lg border border-slate-200 bg-white p-4">
        <label className="text-sm">
          Model
          <select value={runId} onChange={(e) => setRunId(e.target.value)} className="mt-1 block rounded-md border border-slate-300 px-2 py-1.5 text-sm">
            {runs.map((r) => (
              <option key={r.id} value={r.id}>
                {r.label}
              </option>
            ))}
          </select>
        </label>
        <label className="text-sm">
          Score threshold {threshold.toFixed(2)}
          <input type="range" min={0} max={1} step={0.05} value={threshold} onChange={(e) => setThreshold(Number(e.target.value))} className="mt-1 block w-40" />
        </label>
        <label className="text-sm">
          Image
          <input type="file" accept="image/*" aria-label="Image to predict" className="mt-1 block text-sm" onChange={(e) => e.target.files?.[0] && run(e.target.files[0])} />
        </label>
        {busy && <span role="status">Predicting…</span>}
      </div>
      {error && (
        <p role="alert" className="text-sm text-red-700">
          {error}
        </p>
      )}
      {results && notice && <p className="text-sm text-amber-800">{notice}</p>}
      {results && (
        <div className="grid gap-4 lg:grid-cols-[2fr_1fr]">
          {overlay && <img src={overlay} alt="Predicted masks over the image" className="w-full rounded-lg border border-slate-200 bg-white" />}
          <div className="space-y-2 text-sm">
            <h2 className="font-medium">{results.length} instance(s)</h2>
            <ul aria-label="Instances" className="divide-y divide-slate-100 rounded border border-slate-200 bg-white">
              {results.map((r, i) => (
                <li key={i} className="flex justify-between px-2 py-1">
                  <span>{r.category_name}</span>
                  <span className="tabular-nums text-slate-600">{r.score.toFixed(3)}</span>
                </li>
              ))}
            </ul>
            <div className="flex gap-3">
              {overlay && (
                <a href={overlay} download="overlay.png" className="text-indigo-700 underline">
                  Overlay PNG
                </a>
              )}
              {json && (
                <a href={json} download="predictions.json" className="text-indigo-700 underline">
                  JSON
                </a>
              )}
            </div>
          </div>
        </div>
      )}
    </div>
  );
}
