'use client';

import { useRef, useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { RunDto } from '@segmenta/contracts';
import { downloadChartPng, downloadChartSvg } from './chart-export';

// Okabe–Ito: distinguishable with the common colour-vision deficiencies.
export const PALETTE = { train: '#0072B2', val: '#D55E00', test: '#009E73', a: '#CC79A7', b: '#E69F00', c: '#56B4E9' };

export type LiveRun = RunDto & { steps?: { step: number; loss: number; learningRate: number }[] };

function byEpoch(run: LiveRun, pick: (m: RunDto['metrics'][number]) => number | null) {
  const rows = new Map<number, Record<string, number | null>>();
  for (const m of run.metrics) {
    const row = rows.get(m.epoch) ?? { epoch: m.epoch };
    row[m.split] = pick(m);
    rows.set(m.epoch, row);
  }
  return [...rows.values()].sort((a, b) => a.epoch! - b.epoch!);
}

function Chart({ title, children, id, fileName }: { title: string; children: React.ReactElement; id: string; fileName: string }) {
  const ref = useRef<HTMLElement>(null);
  const [error, setError] = useState<string | null>(null);
  const download = async (kind: 'png' | 'svg') => {
    setError(null);
    try {
      if (kind === 'svg') downloadChartSvg(ref.current!, title, fileName);
      else await downloadChartPng(ref.current!, title, fileName);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const button = 'rounded border border-slate-300 px-1.5 py-0.5 text-xs text-slate-600 hover:bg-slate-50 focus-visible:outline focus-visible:outline-2 focus-visible:outline-indigo-500';
  return (
    <figure ref={ref} className="rounded-lg border border-slate-200 bg-white p-3" aria-labelledby={`${id}-title`} data-chart={id}>
      <figcaption className="mb-2 flex items-center gap-2 text-sm font-medium text-slate-700">
        <span id={`${id}-title`}>{title}</span>
        <span className="ml-auto flex gap-1">
          <button type="button" className={button} onClick={() => download('png')} aria-label={`Download ${title} as PNG`}>
            PNG
          </button>
          <button type="button" className={button} onClick={() => download('svg')} aria-label={`Download ${title} as SVG`}>
            SVG
          </button>
        </span>
      </figcaption>
      {error && (
        <p role="alert" className="mb-1 text-xs text-red-700">
          {error}
        </p>
      )}
      <div className="h-64 w-full">
        <ResponsiveContainer width="100%" height="100%">
          {children}
        </ResponsiveContainer>
      </div>
    </figure>
  );
}

export function RunCharts({ run }: { run: LiveRun }) {
  const losses = byEpoch(run, (m) => m.loss);
  const best = run.checkpoints.find((c) => c.isBest)?.epoch;
  const components = byEpoch(run, () => null).map((row) => {
    const m = run.metrics.find((x) => x.epoch === row.epoch && x.split === 'train');
    return { epoch: row.epoch, classifier: m?.lossClassifier, box: m?.lossBoxReg, mask: m?.lossMask, objectness: m?.lossObjectness, rpnBox: m?.lossRpnBoxReg };
  });
  const quality = byEpoch(run, () => null).map((row) => {
    const v = run.metrics.find((x) => x.epoch === row.epoch && x.split === 'val');
    const t = run.metrics.find((x) => x.epoch === row.epoch && x.split === 'test');
    return { epoch: row.epoch, valSegm: v?.mapSegm, valBbox: v?.mapBbox, valAcc: v?.accuracy, testSegm: t?.mapSegm };
  });
  const axis = { stroke: '#64748b', fontSize: 12 };
  const fileName = run.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'run';
  return (
    <div className="grid gap-4 lg:grid-cols-2">
      <Chart title="Loss per epoch (best epoch marked)" id="loss" fileName={fileName}>
        <LineChart data={losses} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
          <CartesianGrid stroke="#e2e8f0" />
          <XAxis dataKey="epoch" {...axis} allowDecimals={false} />
          <YAxis {...axis} width={48} />
          <Tooltip />
          <Legend />
          {best !== undefined && <ReferenceLine x={best} stroke="#334155" strokeDasharray="4 3" label={{ value: 'best', position: 'top', fontSize: 11 }} />}
          <Line type="monotone" dataKey="train" stroke={PALETTE.train} strokeWidth={2} dot={{ r: 3 }} isAnimationActive={false} />
          <Line type="monotone" dataKey="val" stroke={PALETTE.val} strokeWidth={2} strokeDasharray="6 3" dot={{ r: 3 }} isAnimationActive={false} />
          <Line type="monotone" dataKey="test" stroke={PALETTE.test} strokeWidth={2} strokeDasharray="2 3" dot={{ r: 3 }} isAnimationActive={false} />
        </LineChart>
      </Chart>
      <Chart title="Training loss components" id="components" fileName={fileName}>
        <LineChart data={components} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
          <CartesianGrid stroke="#e2e8f0" />
          <XAxis dataKey="epoch" {...axis} allowDecimals={false} />
          <YAxis {...axis} width={48} />
          <Tooltip />
          <Legend />
          <Line dataKey="classifier" stroke={PALETTE.train} dot={false} isAnimationActive={false} />
          <Line dataKey="box" stroke={PALETTE.val} dot={false} isAnimationActive={false} />
          <Line dataKey="mask" stroke={PALETTE.test} dot={false} isAnimationActive={false} />
          <Line dataKey="objectness" stroke={PALETTE.a} dot={false} isAnimationActive={false} />
          <Line dataKey="rpnBox" stroke={PALETTE.b} dot={false} isAnimationActive={false} />
        </LineChart>
      </Chart>
      <Chart title="mAP and accuracy" id="quality" fileName={fileName}>
        <LineChart data={quality} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
          <CartesianGrid stroke="#e2e8f0" />
          <XAxis dataKey="epoch" {...axis} allowDecimals={false} />
          <YAxis {...axis} width={48} domain={[0, 1]} />
          <Tooltip />
          <Legend />
          <Line dataKey="valSegm" name="val segm mAP" stroke={PALETTE.val} dot={{ r: 2 }} isAnimationActive={false} />
          <Line dataKey="valBbox" name="val bbox mAP" stroke={PALETTE.b} dot={{ r: 2 }} isAnimationActive={false} />
          <Line dataKey="valAcc" name="val accuracy" stroke={PALETTE.a} dot={{ r: 2 }} isAnimationActive={false} />
          <Line dataKey="testSegm" name="test segm mAP" stroke={PALETTE.test} dot={{ r: 2 }} isAnimationActive={false} />
        </LineChart>
      </Chart>
      <Chart title="Per-step training loss and learning rate" id="steps" fileName={fileName}>
        <LineChart data={run.steps ?? []} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
          <CartesianGrid stroke="#e2e8f0" />
          <XAxis dataKey="step" {...axis} />
          <YAxis yAxisId="loss" {...axis} width={48} />
          <YAxis yAxisId="lr" orientation="right" {...axis} width={64} tickFormatter={(v: number) => v.toExponential(0)} />
          <Tooltip />
          <Legend />
          <Line yAxisId="loss" dataKey="loss" stroke={PALETTE.train} dot={false} isAnimationActive={false} />
          <Line yAxisId="lr" dataKey="learningRate" name="learning rate" stroke={PALETTE.c} dot={false} isAnimationActive={false} />
        </LineChart>
      </Chart>
    </div>
  );
}
