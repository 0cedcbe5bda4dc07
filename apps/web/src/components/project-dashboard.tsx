import Link from 'next/link';
import type { AnnotationProgress, latestRunSummaries } from '@segmenta/db';
import { splits as SPLITS, type LabelClassDto } from '@segmenta/contracts';
import { RUN_STATUS_STYLE } from './run-status';

type RunSummary = Awaited<ReturnType<typeof latestRunSummaries>>[number];


function Bar({ done, reviewed, total, label }: { done: number; reviewed: number; total: number; label: string }) {
  const pct = (n: number) => (total ? (n / total) * 100 : 0);
  return (
    <div className="flex h-2 w-full overflow-hidden rounded bg-slate-100" role="img" aria-label={label}>
      {/* Reviewed first (darker), then done but not yet reviewed. */}
      <div className="h-2 bg-emerald-600" style={{ width: `${pct(reviewed)}%` }} />
      <div className="h-2 bg-sky-400" style={{ width: `${pct(done)}%` }} />
    </div>
  );
}

/** Annotation progress per split and instances per class, next to the latest runs. */
export function ProjectDashboard({ projectId, progress, classes, classCounts, runs }: { projectId: string; progress: AnnotationProgress; classes: LabelClassDto[]; classCounts: Record<string, number>; runs: RunSummary[] }) {
  const maxInstances = Math.max(1, ...Object.values(classCounts));
  return (
    <div className="grid gap-4 lg:grid-cols-3">
      <section aria-labelledby="progress-heading" className="rounded-lg border border-slate-200 bg-white p-4 lg:col-span-2">
        <h2 id="progress-heading" className="mb-3 text-lg font-medium">
          Annotation progress
        </h2>
        <table className="w-full text-sm" aria-label="Annotation progress per split">
          <thead className="text-left text-slate-500">
            <tr>
              <th scope="col" className="py-1 pr-3 font-normal">Split</th>
              <th scope="col" className="py-1 pr-3 font-normal">Annotated</th>
              <th scope="col" className="py-1 pr-3 font-normal">Done</th>
              <th scope="col" className="py-1 pr-3 font-normal">Reviewed</th>
              <th scope="col" className="py-1 pr-3 font-normal">Needs review</th>
              <th scope="col" className="py-1 pr-3 font-normal">Total</th>
              <th scope="col" className="w-1/3 py-1 font-normal"><span className="sr-only">Progress</span></th>
            </tr>
          </thead>
          <tbody>
            {SPLITS.map((s) => {
              const p = progress[s];
              const done = p.done;
              return (
                <tr key={s} className="border-t border-slate-100" data-split={s}>
                  <th scope="row" className="py-1.5 pr-3 text-left font-normal">{s}</th>
                  <td className="py-1.5 pr-3 tabular-nums">{p.annotated}</td>
                  <td className="py-1.5 pr-3 tabular-nums">{done}</td>
                  <td className="py-1.5 pr-3 tabular-nums">{p.reviewed}</td>
                  <td className="py-1.5 pr-3 tabular-nums">{p.needs_review}</td>
                  <td className="py-1.5 pr-3 tabular-nums">{p.total}</td>
                  <td className="py-1.5">
                    <Bar done={done} reviewed={p.reviewed} total={p.total} label={`${s}: ${p.reviewed} reviewed and ${done} done of ${p.total} images`} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <p className="mt-2 text-xs text-slate-500">
          <span className="mr-1 inline-block h-2 w-2 rounded-sm bg-emerald-600" aria-hidden="true" /> reviewed
          <span className="mr-1 ml-3 inline-block h-2 w-2 rounded-sm bg-sky-400" aria-hidden="true" /> done, awaiting review
        </p>
        <h3 className="mt-4 mb-2 text-sm font-medium text-slate-700">Instances per class</h3>
        <ul className="space-y-1 text-sm" aria-label="Instances per class">
          {classes.length === 0 && <li className="text-slate-500">No classes yet.</li>}
          {classes.map((c) => (
            <li key={c.id} className="flex items-center gap-2">
              <span className="inline-block h-3 w-3 rounded-sm" style={{ background: c.color }} aria-hidden="true" />
              <span className="w-32 truncate">{c.name}</span>
              <span className="w-12 text-right tabular-nums">{classCounts[c.id] ?? 0}</span>
              <span className="h-2 flex-1 rounded bg-slate-100" aria-hidden="true">
                <span className="block h-2 rounded bg-slate-500" style={{ width: `${((classCounts[c.id] ?? 0) / maxInstances) * 100}%` }} />
              </span>
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="latest-runs-heading" className="rounded-lg border border-slate-200 bg-white p-4">
        <h2 id="latest-runs-heading" className="mb-3 text-lg font-medium">
          Latest runs
        </h2>
        {runs.length === 0 ? (
          <p className="text-sm text-slate-500">No training runs yet.</p>
        ) : (
          <ul className="space-y-2 text-sm" aria-label="Latest runs">
            {runs.map((r) => (
              <li key={r.id} className="flex flex-wrap items-center gap-2">
                <Link href={`/runs/${r.id}`} className="text-indigo-700 underline">
                  {r.name}
                </Link>
                <span className={`rounded px-1.5 py-0.5 text-xs ${RUN_STATUS_STYLE[r.status] ?? ''}`}>{r.status}</span>
                <span className="ml-auto text-slate-600 tabular-nums">
                  {r.bestValLoss != null ? `best val loss ${r.bestValLoss.toFixed(4)} (epoch ${r.bestEpoch})` : `epoch ${r.epochsDone}/${r.epochs}`}
                </span>
              </li>
            ))}
          </ul>
        )}
        <Link href={`/projects/${projectId}/runs`} className="mt-3 inline-block text-sm text-indigo-700 underline">
          All runs
        </Link>
      </section>
    </div>
  );
}
