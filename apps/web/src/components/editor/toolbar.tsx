'use client';

import type { LabelClassDto } from '@segmenta/contracts';

export interface ViewSettings {
  opacity: number;
  brightness: number;
  contrast: number;
}

interface Props {
  classes: readonly LabelClassDto[];
  hotkeys: ReadonlyMap<string, string>;
  activeClassId: string | null;
  onClass: (id: string) => void;
  mode: 'select' | 'draw';
  onMode: (m: 'select' | 'draw') => void;
  canAddPart: boolean;
  onAddPart: () => void;
  canUndo: boolean;
  canRedo: boolean;
  onUndo: () => void;
  onRedo: () => void;
  onFit: () => void;
  onZoom: (factor: number) => void;
  zoom: number;
  settings: ViewSettings;
  onSettings: (s: ViewSettings) => void;
}

const btn = 'rounded-md border border-slate-300 bg-white px-2.5 py-1 text-sm hover:bg-slate-50 disabled:opacity-40 aria-pressed:border-indigo-500 aria-pressed:bg-indigo-50';

export function Toolbar(p: Props) {
  const slider = (key: keyof ViewSettings, label: string, min: number, max: number) => (
    <label className="flex items-center gap-1.5 text-xs text-slate-600">
      {label}
      <input type="range" aria-label={label} min={min} max={max} step={0.05} value={p.settings[key]} onChange={(e) => p.onSettings({ ...p.settings, [key]: Number(e.target.value) })} className="w-20" />
    </label>
  );
  return (
    <div className="space-y-2">
      <div role="group" aria-label="Classes" className="flex flex-wrap gap-1.5">
        {p.classes.map((c) => {
          const key = [...p.hotkeys].find(([, id]) => id === c.id)?.[0];
          return (
            <button key={c.id} type="button" aria-pressed={p.activeClassId === c.id} aria-label={`Class ${c.name}${key ? ` (${key})` : ''}`} onClick={() => p.onClass(c.id)} className={`${btn} flex items-center gap-1.5`}>
              <span aria-hidden className="inline-block h-3 w-3 rounded-sm" style={{ background: c.color }} />
              {c.name}
              {key && <kbd className="rounded bg-slate-100 px-1 text-[10px] text-slate-500">{key}</kbd>}
            </button>
          );
        })}
        {p.classes.length === 0 && <span className="text-sm text-amber-800">This project has no classes yet: add some on the project page.</span>}
      </div>
      <div role="toolbar" aria-label="Editor tools" className="flex flex-wrap items-center gap-1.5">
        <button type="button" className={btn} aria-pressed={p.mode === 'select'} onClick={() => p.onMode('select')} title="Select and edit (V)">
          Select
        </button>
        <button type="button" className={btn} aria-pressed={p.mode === 'draw'} onClick={() => p.onMode('draw')} title="Draw polygons (N)">
          Draw polygon
        </button>
        <button type="button" className={btn} disabled={!p.canAddPart} onClick={p.onAddPart} title="Add another polygon part to the selected region (A)">
          Add part
        </button>
        <span className="mx-1 h-5 w-px bg-slate-300" />
        <button type="button" className={btn} disabled={!p.canUndo} onClick={p.onUndo} title="Ctrl+Z">
          Undo
        </button>
        <button type="button" className={btn} disabled={!p.canRedo} onClick={p.onRedo} title="Ctrl+Shift+Z / Ctrl+Y">
          Redo
        </button>
        <span className="mx-1 h-5 w-px bg-slate-300" />
        <button type="button" className={btn} aria-label="Zoom out" onClick={() => p.onZoom(1 / 1.25)}>
          −
        </button>
        <span aria-label="Zoom level" className="w-12 text-center text-xs tabular-nums text-slate-600">
          {Math.round(p.zoom * 100)}%
        </span>
        <button type="button" className={btn} aria-label="Zoom in" onClick={() => p.onZoom(1.25)}>
          +
        </button>
        <button type="button" className={btn} onClick={p.onFit} title="F">
          Fit to screen
        </button>
        <span className="mx-1 h-5 w-px bg-slate-300" />
        {slider('opacity', 'Region opacity', 0, 1)}
        {slider('brightness', 'Brightness', 0.2, 3)}
        {slider('contrast', 'Contrast', 0.2, 3)}
      </div>
    </div>
  );
}
