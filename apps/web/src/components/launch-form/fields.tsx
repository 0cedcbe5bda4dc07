import { useEffect, useRef } from 'react';
import { errId } from './state';

export const inputClass = 'mt-1 w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm';

/** The inline message for one config path; inputs point at it with aria-describedby. */
export function Err({ errors, k }: { errors: Record<string, string>; k: string }) {
  return errors[k] ? (
    <span id={errId(k)} role="alert" className="mt-1 block text-xs text-red-700">
      {errors[k]}
    </span>
  ) : null;
}

/** A labelled text/number input bound to one config path (`k`), with its inline error. */
export function Field({
  label,
  k,
  value,
  onChange,
  errors,
  type = 'text',
  step,
  className = 'text-sm',
  ariaLabel,
}: {
  label: React.ReactNode;
  k: string;
  value: string;
  onChange: (v: string) => void;
  errors: Record<string, string>;
  type?: 'text' | 'number';
  step?: string;
  className?: string;
  /** A fuller name for screen readers where the visible label is short (augmentation parameters). */
  ariaLabel?: string;
}) {
  return (
    <label className={className}>
      {label}
      <input className={inputClass} type={type} step={step} value={value} onChange={(e) => onChange(e.target.value)} aria-label={ariaLabel} aria-describedby={errId(k)} aria-invalid={errors[k] ? true : undefined} />
      <Err errors={errors} k={k} />
    </label>
  );
}

/**
 * A collapsible group of fields. It opens itself when `open` turns true (a field inside has an error,
 * or a duplicated config uses it) but never closes itself: only the user folds it away again.
 */
export function Section({ title, open, children }: { title: string; open?: boolean; children: React.ReactNode }) {
  const ref = useRef<HTMLDetailsElement>(null);
  useEffect(() => {
    if (open && ref.current) ref.current.open = true;
  }, [open]);
  return (
    <details ref={ref} className="rounded-md border border-slate-200 p-3 sm:col-span-2 lg:col-span-4">
      <summary className="cursor-pointer text-sm font-medium text-slate-800">{title}</summary>
      <div className="mt-3 grid gap-3 sm:grid-cols-2 lg:grid-cols-4">{children}</div>
    </details>
  );
}
