import { Err, Field, inputClass, Section } from './fields';
import { AUG_DEFAULTS, CHOICE_DEFAULTS, type AugRow, type AugState, type Values } from './state';

const LABELS: Record<string, string> = {
  horizontalFlip: 'Horizontal flip',
  verticalFlip: 'Vertical flip',
  brightnessContrast: 'Brightness / contrast',
  oneOf: 'One of',
  resize: 'Resize',
  jpegCompression: 'JPEG compression',
  gamma: 'Gamma',
  blur: 'Blur',
  equalize: 'Equalize',
};

/** Numeric parameters of a step or choice, i.e. everything but its type (and p, shown first). */
const params = (v: Values) => Object.keys(v).filter((k) => k !== 'type' && k !== 'p');

/** The albumentations-style pipeline, step by step, each with its probability and parameters. */
export function AugmentationsSection({ value, onChange, errors }: { value: AugState[]; onChange: (v: AugState[]) => void; errors: Record<string, string> }) {
  const setAt = (i: number, a: AugState) => onChange(value.map((x, j) => (j === i ? a : x)));
  return (
    <Section title="Augmentations" open={Object.keys(errors).some((k) => k.startsWith('augmentations'))}>
      <ol aria-label="Augmentation steps" className="space-y-2 sm:col-span-2 lg:col-span-4">
        {value.map((a, i) => {
          const base = `augmentations[${i}]`;
          const name = `${LABELS[a.step.type]} (step ${i + 1})`;
          return (
            <li key={i} aria-label={name} className="rounded border border-slate-200 p-2">
              <div className="flex flex-wrap items-end gap-2">
                <span className="w-48 text-sm font-medium">{name}</span>
                <Field className="w-28 text-sm" label="Probability" ariaLabel={`Probability, step ${i + 1}`} k={`${base}.p`} type="number" step="any" value={a.step.p ?? ''} onChange={(v) => setAt(i, { ...a, step: { ...a.step, p: v } })} errors={errors} />
                {params(a.step).map((p) => (
                  <Field key={p} className="w-32 text-sm" label={p} ariaLabel={`${p}, step ${i + 1}`} k={`${base}.${p}`} type="number" step="any" value={a.step[p] ?? ''} onChange={(v) => setAt(i, { ...a, step: { ...a.step, [p]: v } })} errors={errors} />
                ))}
                <button type="button" className="ml-auto rounded border border-slate-300 px-2 py-1 text-xs" onClick={() => onChange(value.filter((_, j) => j !== i))} aria-label={`Remove step ${i + 1}`}>
                  Remove
                </button>
              </div>
              <Err errors={errors} k={base} />
              {a.step.type === 'oneOf' && (
                <ChoiceList base={base} step={i + 1} choices={a.choices} onChange={(choices) => setAt(i, { ...a, choices })} errors={errors} />
              )}
            </li>
          );
        })}
      </ol>
      <AddPicker options={Object.keys(AUG_DEFAULTS)} label="Add augmentation step" onAdd={(t) => onChange([...value, { step: { ...AUG_DEFAULTS[t as AugRow['type']] } as AugRow, choices: t === 'oneOf' ? [{ ...CHOICE_DEFAULTS.equalize! }] : [] }])} />
    </Section>
  );
}

function ChoiceList({ base, step, choices, onChange, errors }: { base: string; step: number; choices: Values[]; onChange: (c: Values[]) => void; errors: Record<string, string> }) {
  return (
    <div className="mt-2 ml-4 space-y-1">
      {choices.map((c, j) => (
        <div key={j} className="flex flex-wrap items-end gap-2">
          <span className="w-32 text-xs">{LABELS[c.type!]}</span>
          {params(c).map((p) => (
            <Field key={p} className="w-32 text-xs" label={p} ariaLabel={`${p}, step ${step} choice ${j + 1}`} k={`${base}.choices[${j}].${p}`} type="number" step="any" value={c[p] ?? ''} onChange={(v) => onChange(choices.map((x, m) => (m === j ? { ...x, [p]: v } : x)))} errors={errors} />
          ))}
          <button type="button" className="rounded border border-slate-300 px-2 py-0.5 text-xs" onClick={() => onChange(choices.filter((_, m) => m !== j))} aria-label={`Remove choice ${j + 1} of step ${step}`}>
            Remove
          </button>
          <Err errors={errors} k={`${base}.choices[${j}]`} />
        </div>
      ))}
      <Err errors={errors} k={`${base}.choices`} />
      <AddPicker options={Object.keys(CHOICE_DEFAULTS)} label={`Add choice to step ${step}`} onAdd={(t) => onChange([...choices, { ...CHOICE_DEFAULTS[t]! }])} />
    </div>
  );
}

function AddPicker({ options, label, onAdd }: { options: string[]; label: string; onAdd: (type: string) => void }) {
  return (
    <label className="block w-56 text-xs">
      {label}
      <select
        className={inputClass}
        value=""
        onChange={(e) => {
          if (e.target.value) onAdd(e.target.value);
        }}
      >
        <option value="">Choose…</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {LABELS[o]}
          </option>
        ))}
      </select>
    </label>
  );
}
