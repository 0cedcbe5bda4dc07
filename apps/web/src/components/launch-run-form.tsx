'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { issuesToDetails, trainingConfigSchema, type ApiErrorBody, type StepTimeEstimateDto, type TrainingConfig } from '@segmenta/contracts';
import { formatDuration } from './format-duration';
import { AugmentationsSection } from './launch-form/augmentations';
import { Err, Field, inputClass } from './launch-form/fields';
import { ImageSizeSection, InitSection, OptimiserSection, type CheckpointRun } from './launch-form/sections';
import { initialForm, placeErrors, toConfig, type FormState } from './launch-form/state';

export type { CheckpointRun } from './launch-form/sections';

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

/** Every config path the form has an input (and so an inline message) for; other issues go to the nearest of these. */
function shownKeys(f: FormState): Set<string> {
  const keys = ['name', 'preset', 'backbone', 'epochs', 'batchSize', 'gradientAccumulation', 'seed', 'gradientClipNorm', 'init', 'init.runId', 'init.checkpointId', 'init.weightsPath'];
  keys.push('optimizer.learningRate', 'optimizer.weightDecay', 'optimizer.momentum', 'optimizer.beta1', 'optimizer.beta2');
  keys.push('schedule.type', 'schedule.warmupSteps', 'schedule.stepSizeEpochs', 'schedule.gamma', 'imageSize.minSize', 'imageSize.maxSize', 'augmentations');
  f.augmentations.forEach((a, i) => {
    const base = `augmentations[${i}]`;
    keys.push(base, ...Object.keys(a.step).map((p) => `${base}.${p}`));
    if (a.step.type === 'oneOf') {
      keys.push(`${base}.choices`);
      a.choices.forEach((c, j) => keys.push(`${base}.choices[${j}]`, ...Object.keys(c).map((p) => `${base}.choices[${j}].${p}`)));
    }
  });
  return new Set(keys);
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

/**
 * Launches a run with every field of the training config. The shared schema checks it before it is
 * sent and the API's 400 details are placed the same way, so each message sits next to its field.
 */
export function LaunchRunForm({
  projectId,
  splits,
  backend = null,
  estimates = [],
  checkpointRuns = [],
  from,
}: {
  projectId: string;
  splits: { train: number; val: number; test: number };
  backend?: string | null;
  estimates?: StepTimeEstimateDto[];
  /** This project's runs that have a checkpoint to start from. */
  checkpointRuns?: CheckpointRun[];
  from?: LaunchFrom;
}) {
  const router = useRouter();
  const trainImages = splits.train;
  const [form, setForm] = useState(() => initialForm(from));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const update = (patch: Partial<FormState>) => setForm((f) => ({ ...f, ...patch }));
  const set = (k: 'name' | 'preset' | 'epochs' | 'batchSize' | 'learningRate' | 'seed') => (v: string) => update({ [k]: v });

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    const body = toConfig(form);
    const shown = shownKeys(form);
    const checked = trainingConfigSchema.safeParse(body);
    if (!checked.success) {
      setErrors(placeErrors(issuesToDetails(checked.error.issues), shown, 'form'));
      return;
    }
    setBusy(true);
    setErrors({});
    try {
      const res = await fetch(`/api/projects/${projectId}/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const json = await res.json();
      if (!res.ok) {
        const err = (json as ApiErrorBody).error;
        // Dataset problems ("(dataset)") and other paths without an input are shown by the button.
        const map = placeErrors(err.details.filter((d) => d.path !== '(dataset)'), shown, 'form');
        for (const d of err.details) if (d.path === '(dataset)') map['(dataset)'] = d.message;
        if (Object.keys(map).length === 0) map['form'] = err.message;
        setErrors(map);
        return;
      }
      router.push(`/runs/${json.id}`);
    } finally {
      setBusy(false);
    }
  }

  const batch = Number(form.batchSize);
  const stepsPerEpoch = Number.isInteger(batch) && batch > 0 && trainImages > 0 ? Math.ceil(trainImages / batch) : null;
  return (
    <form id="launch" onSubmit={submit} noValidate aria-label="Launch a training run" className="grid gap-3 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-2 lg:grid-cols-4">
      {from && (
        <p role="note" className="rounded bg-indigo-50 px-3 py-2 text-sm text-indigo-900 sm:col-span-2 lg:col-span-4">
          Duplicating <a href={`/runs/${from.id}`} className="underline">{from.name}</a>: every field below starts from its config.{' '}
          <a href={`/projects/${projectId}/runs`} className="underline">Start from defaults instead</a>
        </p>
      )}
      <p data-testid="split-sizes" className="text-sm text-slate-600 sm:col-span-2 lg:col-span-4">
        Trains on {splits.train} annotated train image{splits.train === 1 ? '' : 's'}, validates on {splits.val}, tests on {splits.test}
        {stepsPerEpoch !== null && ` · ${stepsPerEpoch} step${stepsPerEpoch === 1 ? '' : 's'} per epoch at this batch size`}.
      </p>
      <Field label="Name" k="name" value={form.name} onChange={set('name')} errors={errors} />
      <div className="text-sm sm:col-span-2">
        <label className="block">
          Preset
          <select className={inputClass} value={form.preset} onChange={(e) => update({ preset: e.target.value })} aria-describedby="step-estimate">
            {PRESETS.map((p) => (
              <option key={p.value} value={p.value}>
                {p.label}
              </option>
            ))}
          </select>
        </label>
        <StepEstimate preset={form.preset} backend={backend} estimates={estimates} stepsPerEpoch={stepsPerEpoch} />
        <Err errors={errors} k="preset" />
      </div>
      <Field label="Epochs" k="epochs" type="number" value={form.epochs} onChange={set('epochs')} errors={errors} />
      <Field label={<>Batch size <span className="text-slate-500">(train split: {trainImages})</span></>} k="batchSize" type="number" value={form.batchSize} onChange={set('batchSize')} errors={errors} />
      <Field label="Learning rate" k="optimizer.learningRate" type="number" step="any" value={form.learningRate} onChange={set('learningRate')} errors={errors} />
      <Field label="Seed" k="seed" type="number" value={form.seed} onChange={set('seed')} errors={errors} />
      <OptimiserSection form={form} update={update} errors={errors} />
      <InitSection form={form} update={update} errors={errors} runs={checkpointRuns} />
      <ImageSizeSection form={form} update={update} errors={errors} />
      <AugmentationsSection value={form.augmentations} onChange={(augmentations) => update({ augmentations })} errors={errors} />
      <div className="flex items-end gap-3 sm:col-span-2 lg:col-span-4">
        <button type="submit" disabled={busy} className="rounded-md bg-indigo-600 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-700 disabled:opacity-50">
          {busy ? 'Launching…' : 'Launch training'}
        </button>
        <Err errors={errors} k="form" />
        <Err errors={errors} k="(dataset)" />
      </div>
    </form>
  );
}
