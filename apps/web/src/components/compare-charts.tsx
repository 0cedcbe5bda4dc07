'use client';

import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { RunDto } from '@segmenta/contracts';

const COLORS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9'];
const DASHES = ['', '6 3', '2 3', '8 3 2 3', '4 4', '1 2'];

function overlay(runs: RunDto[], split: 'train' | 'val', pick: (m: RunDto['metrics'][number]) => number | null) {
  const rows = new Map<number, Record<string, number | null>>();
  runs.forEach((r, i) => {
    for (const m of r.metrics.filter((x) => x.split === split)) {
      const row = rows.get(m.epoch) ?? { epoch: m.epoch };
      row[`r${i}`] = pick(m);
      rows.set(m.epoch, row);
    }
  });
  return [...rows.values()].sort((a, b) => a.epoch! - b.epoch!);
}

/** Two or more runs on shared axes: colour and dash both differ per run, so it reads in grey too. */
export function CompareCharts({ runs }: { runs: RunDto[] }) {
  const charts = [
    { id: 'val-loss', title: 'Validation loss per epoch', data: overlay(runs, 'val', (m) => m.loss) },
    { id: 'train-loss', title: 'Training loss per epoch', data: overlay(runs, 'train', (m) => m.loss) },
    { id: 'val-map', title: 'Validation segm mAP per epoch', data: overlay(runs, 'val', (m) => m.mapSegm), domain: [0, 1] as [number, number] },
  ];
  return (
    <div className="grid gap-4 lg:grid-cols-3">
      {charts.map((c) => (
        <figure key={c.id} data-chart={c.id} className="rounded-lg border border-slate-200 bg-white p-3" aria-label={c.title}>
          <figcaption className="mb-2 text-sm font-medium text-slate-700">{c.title}</figcaption>
          <div className="h-60">
            <ResponsiveContainer width="100%" height="100%">
              <LineChart data={c.data} margin={{ top: 8, right: 12, bottom: 4, left: 0 }}>
                <CartesianGrid stroke="#e2e8f0" />
                <XAxis dataKey="epoch" stroke="#64748b" fontSize={12} allowDecimals={false} />
                <YAxis stroke="#64748b" fontSize={12} width={44} {...('domain' in c ? { domain: c.domain } : {})} />
                <Tooltip />
                <Legend />
                {runs.map((r, i) => (
                  <Line key={r.id} dataKey={`r${i}`} name={r.name} stroke={COLORS[i % COLORS.length]} strokeDasharray={DASHES[i % DASHES.length]} strokeWidth={2} dot={{ r: 3 }} isAnimationActive={false} />
                ))}
              </LineChart>
            </ResponsiveContainer>
          </div>
        </figure>
      ))}
    </div>
  );
}
