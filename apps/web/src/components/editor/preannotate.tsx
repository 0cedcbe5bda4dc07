'use client';

import { useMemo, useState } from 'react';
import { DEFAULT_ACCEPT_TOLERANCE, type LabelClassDto } from '@segmenta/contracts';
import type { BrowserDetection, PreannotateResult } from '@/lib/browser-model';

/** A model-made region for the editor to insert (original-image pixels). */
export interface ModelRegion {
  classId: string;
  polygons: number[][];
}

/** A completed run's best checkpoint, offered as a model (the page lists them, latest best first). */
export interface ModelOption {
  runId: string;
  checkpointId: string;
  label: string;
}

interface Props {
  models: readonly ModelOption[];
  image: { id: string; width: number; height: number };
  classes: readonly LabelClassDto[];
  /** False until the editor has loaded the stored regions. */
  ready: boolean;
  onRegions: (regions: ModelRegion[]) => void;
}

type Backend = 'auto' | 'webgl' | 'wasm' | 'cpu';

type Outcome =
  | { kind: 'idle' }
  | { kind: 'busy'; text: string }
  | { kind: 'error'; message: string }
  | { kind: 'done'; result: PreannotateResult; added: number; unknownClasses: string[]; tooSmall: number };

const ms = (v: number) => (v >= 1000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`);

/**
 * Runs a trained model of this project in the browser (TensorFlow.js: WebGL, else WebAssembly, else
 * JavaScript) on the image being edited and adds its masks as unsaved model-made regions; autosave
 * then stores them like any edit, and one undo removes them all.
 */
export function Preannotate({ models: options, image, classes, ready, onRegions }: Props) {
  const [choice, setChoice] = useState(options[0]?.runId ?? '');
  const [threshold, setThreshold] = useState('0.5');
  const [backend, setBackend] = useState<Backend>('auto');
  const [outcome, setOutcome] = useState<Outcome>({ kind: 'idle' });
  const classByName = useMemo(() => {
    const m = new Map<string, string>();
    for (const c of classes) m.set(c.name.toLowerCase(), c.id);
    for (const c of classes) m.set(c.name, c.id); // an exact match wins over a case-insensitive one
    return m;
  }, [classes]);

  const selected = options.find((o) => o.runId === choice);
  const busy = outcome.kind === 'busy';

  async function run() {
    if (!selected) return;
    const scoreThreshold = threshold.trim() === '' ? NaN : Number(threshold);
    if (!(scoreThreshold >= 0 && scoreThreshold <= 1)) return setOutcome({ kind: 'error', message: 'Score threshold: must be a number between 0 and 1' });
    setOutcome({ kind: 'busy', text: 'Loading the model…' });
    try {
      const { preannotate } = await import('@/lib/browser-model');
      setOutcome({ kind: 'busy', text: 'Running the model in this browser…' });
      const result = await preannotate({
        model: { runId: selected.runId, checkpointId: selected.checkpointId },
        imageUrl: `/api/images/${image.id}/file?variant=web`,
        original: { width: image.width, height: image.height },
        scoreThreshold,
        backend,
        tolerance: DEFAULT_ACCEPT_TOLERANCE,
      });
      const unknown = new Set<string>();
      let tooSmall = 0;
      const regions: ModelRegion[] = [];
      for (const d of result.detections) {
        const classId = classByName.get(d.className) ?? classByName.get(d.className.toLowerCase());
        if (!classId) unknown.add(d.className);
        else if (d.polygons.length === 0) tooSmall++;
        else regions.push({ classId, polygons: d.polygons });
      }
      onRegions(regions);
      setOutcome({ kind: 'done', result, added: regions.length, unknownClasses: [...unknown], tooSmall });
    } catch (err) {
      // Nothing was added: the document is as it was.
      setOutcome({ kind: 'error', message: `Pre-annotation failed: ${(err as Error).message}` });
    }
  }

  return (
    <section aria-label="Pre-annotate" className="space-y-2 rounded-lg border border-slate-200 bg-white p-2 text-sm">
      <h2 className="font-semibold">Pre-annotate</h2>
      {options.length === 0 && <p className="text-slate-600">No completed training run in this project yet: train one to pre-annotate with it.</p>}
      {options.length > 0 && (
        <>
          <label className="block">
            <span className="text-xs text-slate-600">Model</span>
            <select aria-label="Pre-annotation model" value={choice} onChange={(e) => setChoice(e.target.value)} disabled={busy} className="mt-0.5 block w-full rounded border border-slate-300 px-1.5 py-1">
              {options.map((o) => (
                <option key={o.runId} value={o.runId}>
                  {o.label}
                </option>
              ))}
            </select>
          </label>
          <div className="flex gap-2">
            <label className="block flex-1">
              <span className="text-xs text-slate-600">Score threshold</span>
              <input aria-label="Pre-annotation score threshold" type="number" min={0} max={1} step="any" value={threshold} onChange={(e) => setThreshold(e.target.value)} disabled={busy} className="mt-0.5 block w-full rounded border border-slate-300 px-1.5 py-1" />
            </label>
            <label className="block flex-1">
              <span className="text-xs text-slate-600">Runs on</span>
              <select aria-label="Pre-annotation backend" value={backend} onChange={(e) => setBackend(e.target.value as Backend)} disabled={busy} className="mt-0.5 block w-full rounded border border-slate-300 px-1.5 py-1">
                <option value="auto">best available</option>
                <option value="webgl">WebGL (GPU)</option>
                <option value="wasm">WebAssembly</option>
                <option value="cpu">JavaScript</option>
              </select>
            </label>
          </div>
          <button type="button" onClick={() => void run()} disabled={busy || !ready || !selected} className="w-full rounded bg-indigo-600 px-2 py-1.5 font-medium text-white disabled:opacity-50">
            {busy ? outcome.text : 'Pre-annotate this image'}
          </button>
        </>
      )}
      {outcome.kind === 'error' && (
        <p role="alert" className="rounded border border-red-200 bg-red-50 p-1.5 text-red-900">
          {outcome.message}
        </p>
      )}
      {outcome.kind === 'done' && <Summary outcome={outcome} />}
    </section>
  );
}

function Summary({ outcome }: { outcome: Extract<Outcome, { kind: 'done' }> }) {
  const { result, added, unknownClasses, tooSmall } = outcome;
  const found = result.detections.length;
  return (
    <div className="space-y-1">
      <p role="status" aria-label="Pre-annotation result" data-backend={result.backend.name} data-added={added} className="rounded bg-sky-50 p-1.5 text-sky-900">
        {found === 0 ? 'The model found nothing above the threshold.' : `Added ${added} model region${added === 1 ? '' : 's'} (unsaved until autosave; Ctrl+Z removes them).`}
        <br />
        <span className="text-xs">
          Ran on <strong>{result.backend.name}</strong> ({result.backend.reason}) · model {result.cached ? 'cached in this tab' : `loaded in ${ms(result.loadMs)}`} · inference {ms(result.inferMs)} at {result.input.width}×{result.input.height}
        </span>
      </p>
      {tooSmall > 0 && <p className="text-xs text-slate-600">{tooSmall} mask{tooSmall === 1 ? ' was' : 's were'} too small to outline.</p>}
      {unknownClasses.length > 0 && <p className="text-xs text-amber-900">Not added: the model&apos;s class{unknownClasses.length === 1 ? '' : 'es'} {unknownClasses.join(', ')} {unknownClasses.length === 1 ? 'is' : 'are'} not in this project.</p>}
      {found > 0 && (
        <details className="text-xs">
          <summary className="cursor-pointer text-slate-600">Detections ({found})</summary>
          <ul aria-label="Model detections" className="max-h-40 overflow-auto">
            {result.detections.map((d: BrowserDetection, i) => (
              <li key={i} data-class={d.className} data-score={d.score} data-bbox={d.bbox.join(',')} className="tabular-nums">
                {d.className} {d.score.toFixed(3)} at {d.bbox.map((v) => Math.round(v)).join(', ')}
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}
