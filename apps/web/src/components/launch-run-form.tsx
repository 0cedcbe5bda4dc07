'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import type { ApiErrorBody, StepTimeEstimateDto, TrainingConfig } from '@segmenta/contracts';
import { formatDuration } from './format-duration';

const PRESETS = [
  { value: 'tiny', label: 'tiny — seconds per step, for trying things' },
  { value: 'cpu-small', label: 'cpu-small — small backbone, short side 448' },
  { value: 'torchvision', label: 'torchvision — ResNet-50 FPN, short side 800' },
];

export interface LaunchFrom {
  id: string;
  name: string;
  config: TrainingConfig;
}

function initialForm(from?: LaunchFrom) {
  if (!from) return { name: 'run', preset: 'tiny', epochs: '5', batchSize: '2', optimizer: 'adam', learningRate: '0.001', seed: '42' };
  const c = from.config;
  return { name: `${from.name} (copy)`, preset: c.preset, epochs: String(c.epochs), batchSize: String(c.batchSize), optimizer: c.optimizer.type, learningRate: String(c.optimizer.learningRate), seed: String(c.seed) };
}

/** What the chosen preset costs per step on the worker's backend, from earlier runs' step metrics. */
function StepEstimate({ preset, backend, estimates, stepsPerEpoch }: { preset: string; backend: string | null; estimates: StepTimeEstimateDto[]; stepsPerEpoch: number | null }) {
  const est = estimates.find((e) => e.preset === preset);
  let text: string;
  if (!backend) text = 'Step time: no estimate — no worker is online to say which backend it would train on.';
  else if (!est || est.medianSeconds === null) text = `Step time on ${backend}: no estimate yet — no earlier ${preset} steps on this backend.`;
  else {
    text = `Step time on ${backend}: about ${est.medianSeconds < 10 ? est.medianSeconds.toFixed(2) : est.medianSeconds.toFixed(0)} s (median from ${est.samples} earlier step${est.samples === 1 ? '' : 's'})`;
    if (stepsPerEpoch) text += `, so about ${formatDuration(est.medianSeconds * stepsPerEpoch)} of training per epoch before evaluation.`;
  }
  return (
    <p id="step-estimate" data-testid="step-estimate" className="mt-1 text-xs text-slate-600">
      {text}
    </p>
  );
}

/** Launches a run; the API's field errors are shown next to the field they name. */
export function LaunchRunForm({
  projectId,
  splits,
  backend = null,
  estimates = [],
  from,
}: {
  projectId: string;
  splits: { train: number; val: number; test: number };
  backend?: string | null;
  estimates?: StepTimeEstimateDto[];
  from?: LaunchFrom;
}) {
  const router = useRouter();
  const trainImages = splits.train;
  const [form, setForm] = useState(() => initialForm(from));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => setForm({ ...form, [k]: e.target.value });

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    const edited = {
      name: form.name,
      preset: form.preset,
      epochs: Number(form.epochs),
      batchSize: Number(form.batchSize),
      optimizer: { type: form.optimizer, learningRate: Number(form.learningRate) },
      seed: Number(form.seed),
    };
    // A duplicate keeps every setting the form does not show (schedule, augmentations, initial weights…).
    const fromOptimizer = from?.config.optimizer;
    const body = from
      ? { ...from.config, ...edited, optimizer: fromOptimizer?.type === form.optimizer ? { ...fromOptimizer, learningRate: edited.optimizer.learningRate } : edited.optimizer }
      : edited;
    try {
      const res = await fetch(`/api/projects/${projectId}/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const json = await res.json();
      if (!res.ok) {
        const err = (json as ApiErrorBody).error;
        const map: Record<string, string> = {};
        for (const d of err.details) map[d.path.split('.')[0]!] = d.message;
        if (Object.keys(map).length === 0) map['form'] = err.message;
        setErrors(map);
        return;
      }
      router.push(`/runs/${json.id}`);
    } finally {
      setBusy(false);
    }
  }

  const field = 'mt-1 w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm';
  const Err = ({ k }: { k: string }) => (errors[k] ? <span id={`err-${k}`} role="alert" className="mt-1 block text-xs text-red-700">{errors[k]}</span> : null);
  const batch = Number(form.batchSize);
  const stepsPerEpoch = Number.isInteger(batch) && batch > 0 && trainImages > 0 ? Math.ceil(trainImages / batch) : null;
  return (
    <form id="launch" onSubmit={submit} aria-label="Launch a training run" className="grid gap-3 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-2 lg:grid-cols-4">
      {from && (
        <p role="note" className="rounded bg-indigo-50 px-3 py-2 text-sm text-indigo-900 sm:col-span-2 lg:col-span-4">
          Duplicating <a href={`/runs/${from.id}`} className="underline">{from.name}</a>: edit the fields below; its other settings (schedule, augmentations, initial weights, image size) are copied as they are.{' '}
          <a href={`/projects/${projectId}/runs`} className="underline">Start from defaults instead</a>
        </p>
      )}
      <p data-testid="split-sizes" className="text-sm text-slate-600 sm:col-span-2 lg:col-span-4">
        Trains on {splits.train} annotated train image{splits.train === 1 ? '' : 's'}, validates on {splits.val}, tests on {splits.test}
        {stepsPerEpoch !== null && ` · ${stepsPerEpoch} step${stepsPerEpoch === 1 ? '' : 's'} per epoch at this batch size`}.
      </p>
      <label className="text-sm">
        Name
        <input className={field} value={form.name} onChange={set('name')} aria-describedby="err-name" />
        <Err k="name" />
      </label>
      <div className="text-sm sm:col-span-2">
        <label className="block">
          Preset
          <select className={field} value={form.preset} onChange={set('preset')} aria-describedby="step-estimate">
            {PRESETS.map((p) => (
              <option key={p.value} value={p.value}>
                {p.label}
              </option>
            ))}
          </select>
        </label>
        <StepEstimate preset={form.preset} backend={backend} estimates={estimates} stepsPerEpoch={stepsPerEpoch} />
      </div>
      <label className="text-sm">
        Epochs
        <input className={field} type="number" value={form.epochs} onChange={set('epochs')} aria-describedby="err-epochs" />
        <Err k="epochs" />
      </label>
      <label className="text-sm">
        Batch size <span className="text-slate-500">(train split: {trainImages})</span>
        <input className={field} type="number" value={form.batchSize} onChange={set('batchSize')} aria-describedby="err-batchSize" />
        <Err k="batchSize" />
      </label>
      <label className="text-sm">
        Optimizer
        <select className={field} value={form.optimizer} onChange={set('optimizer')}>
          <option value="adam">Adam</option>
          <option value="sgd">SGD (momentum 0.9)</option>
        </select>
      </label>
      <label className="text-sm">
        Learning rate
        <input className={field} value={form.learningRate} onChange={set('learningRate')} aria-describedby="err-optimizer" />
        <Err k="optimizer" />
      </label>
      <label className="text-sm">
        Seed
        <input className={field} type="number" value={form.seed} onChange={set('seed')} aria-describedby="err-seed" />
        <Err k="seed" />
      </label>
      <div className="flex items-end sm:col-span-2 lg:col-span-4">
        <button type="submit" disabled={busy} className="rounded-md bg-indigo-600 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-700 disabled:opacity-50">
          {busy ? 'Launching…' : 'Launch training'}
        </button>
        <Err k="form" />
        <Err k="(dataset)" />
      </div>
    </form>
  );
}
