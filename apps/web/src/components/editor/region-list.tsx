'use client';

import { memo } from 'react';
import type { LabelClassDto } from '@segmenta/contracts';
import { displayFlags, instanceArea, instanceNesting, isRleOnly, type Instance } from './model';

interface Props {
  instances: readonly Instance[];
  /** The image's size: areas are those of the rasterised regions, as stored. */
  width: number;
  height: number;
  classes: ReadonlyMap<string, LabelClassDto>;
  selectedKey: string | null;
  hidden: ReadonlySet<string>;
  locked: ReadonlySet<string>;
  onSelect: (key: string) => void;
  onHover: (key: string | null) => void;
  onToggleHidden: (key: string) => void;
  onToggleLocked: (key: string) => void;
}

/** "3 parts", or "2 parts, 1 hole" when some rings are holes. */
function partsLabel(inst: Instance): string {
  const holes = instanceNesting(inst).depth.filter((d) => d % 2 === 1).length;
  const parts = inst.polygons.length - holes;
  return `${parts} part${parts === 1 ? '' : 's'}${holes ? `, ${holes} hole${holes === 1 ? '' : 's'}` : ''}`;
}

const FLAG_TEXT = { self_intersecting: 'self-intersecting', clamped: 'clamped' } as const;

/** Memoised: zooming re-renders the editor many times a second, the list only changes with the document. */
export const RegionList = memo(function RegionList({ instances, width, height, classes, selectedKey, hidden, locked, onSelect, onHover, onToggleHidden, onToggleLocked }: Props) {
  if (instances.length === 0) return <p className="p-3 text-sm text-slate-500">No regions yet. Pick a class and click on the image to draw.</p>;
  return (
    <ul aria-label="Regions" className="max-h-[50vh] divide-y divide-slate-100 overflow-auto" onMouseLeave={() => onHover(null)}>
      {instances.map((inst, n) => {
        const cls = classes.get(inst.classId);
        const flags = displayFlags(inst);
        const isSel = inst.key === selectedKey;
        const label = `Region ${n + 1}: ${cls?.name ?? 'unknown class'}`;
        return (
          <li
            key={inst.key}
            data-region-key={inst.key}
            data-selected={isSel}
            className={`flex items-center gap-1.5 px-2 py-1.5 text-sm ${isSel ? 'bg-indigo-50' : 'hover:bg-slate-50'}`}
            onMouseEnter={() => onHover(inst.key)}
          >
            <button type="button" aria-pressed={isSel} aria-label={label} onClick={() => onSelect(inst.key)} className="flex min-w-0 flex-1 items-center gap-1.5 text-left">
              <span aria-hidden className="inline-block h-3 w-3 shrink-0 rounded-sm" style={{ background: cls?.color ?? '#6366f1' }} />
              <span className="truncate font-medium">{cls?.name ?? '?'}</span>
              <span className="ml-auto shrink-0 tabular-nums text-xs text-slate-500">{isRleOnly(inst) ? 'RLE' : instanceArea(inst, width, height).toLocaleString('en')} px²</span>
            </button>
            {inst.polygons.length > 1 && <span className="rounded bg-slate-100 px-1 text-[10px] text-slate-600">{partsLabel(inst)}</span>}
            {inst.iscrowd === 1 && <span className="rounded bg-slate-100 px-1 text-[10px] text-slate-600">crowd</span>}
            {inst.source === 'model' && <span className="rounded bg-sky-100 px-1 text-[10px] text-sky-800">model</span>}
            {flags.map((f) => (
              <span key={f} data-flag={f} className="rounded bg-amber-100 px-1 text-[10px] text-amber-900" title={f === 'self_intersecting' ? 'Edges cross: fix the outline' : 'Points were moved inside the image'}>
                {FLAG_TEXT[f]}
              </span>
            ))}
            <button type="button" aria-label={`${hidden.has(inst.key) ? 'Show' : 'Hide'} region ${n + 1}`} aria-pressed={hidden.has(inst.key)} onClick={() => onToggleHidden(inst.key)} className="rounded px-1 text-xs text-slate-600 hover:bg-slate-200">
              {hidden.has(inst.key) ? '◌' : '●'}
            </button>
            <button type="button" aria-label={`${locked.has(inst.key) ? 'Unlock' : 'Lock'} region ${n + 1}`} aria-pressed={locked.has(inst.key)} onClick={() => onToggleLocked(inst.key)} className="rounded px-1 text-xs text-slate-600 hover:bg-slate-200">
              {locked.has(inst.key) ? '🔒' : '🔓'}
            </button>
          </li>
        );
      })}
    </ul>
  );
});
