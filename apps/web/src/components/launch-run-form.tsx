'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import type { ApiErrorBody } from '@segmenta/contracts';

const PRESETS = [
  { value: 'tiny', label: 'tiny — seconds per step, for trying things' },
  { value: 'cpu-small', label: 'cpu-small — small backbone, short side 448' },
  { value: 'torchvision', label: 'torchvision — ResNet-50 FPN, short side 800' },
];

/** Launches a run; the API's field errors are shown next to the field they name. */
export function LaunchRunForm({ projectId, trainImages }: { projectId: string; trainImages: number }) {
  const router = useRouter();
  const [form, setForm] = useState({ name: 'run', preset: 'tiny', epochs: '5', batchSize: '2', optimizer: 'adam', learningRate: '0.001', seed: '42' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => setForm({ ...form, [k]: e.target.value });

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    const body = {
      name: form.name,
      preset: form.preset,
      epochs: Number(form.epochs),
      batchSize: Number(form.batchSize),
      optimizer: { type: form.optimizer, learningRate: Number(form.learningRate) },
      seed: Number(form.seed),
    };
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
  return (
    <form onSubmit={submit} aria-label="Launch a training run" className="grid gap-3 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-2 lg:grid-cols-4">
      <label className="text-sm">
        Name
        <input className={field} value={form.name} onChange={set('name')} aria-describedby="err-name" />
        <Err k="name" />
      </label>
      <label className="text-sm sm:col-span-2">
        Preset
        <select className={field} value={form.preset} onChange={set('preset')}>
          {PRESETS.map((p) => (
            <option key={p.value} value={p.value}>
              {p.label}
            </option>
          ))}
        </select>
      </label>
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
