import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { CompareCharts } from '@/components/compare-charts';
import { configDifferences } from '@/server/config-diff';
import { isUuid, loadProject, loadRun } from '@/server/load-project';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Compare runs' };

/** `?ids=a,b[,c…]`: the runs' curves overlaid and the config fields that differ. */
export default async function ComparePage({ params, searchParams }: { params: Promise<{ projectId: string }>; searchParams: Promise<{ ids?: string }> }) {
  const project = await loadProject((await params).projectId);
  if (!project) notFound();
  const ids = ((await searchParams).ids ?? '').split(',').filter(isUuid).slice(0, 6);
  const runs = (await Promise.all(ids.map(loadRun))).filter((r) => r !== null && r.projectId === project.id);
  const diff = configDifferences(runs.map((r) => r!.config));
  return (
    <div className="space-y-6">
      <Link href={`/projects/${project.id}/runs`} className="text-sm text-indigo-700 underline">
        ← All runs
      </Link>
      <h1 className="text-2xl font-semibold">Compare runs</h1>
      {runs.length < 2 ? (
        <p className="text-slate-600">Pick two or more runs of this project to compare.</p>
      ) : (
        <>
          <CompareCharts runs={runs as NonNullable<(typeof runs)[number]>[]} />
          <section aria-labelledby="diff-heading">
            <h2 id="diff-heading" className="mb-2 text-lg font-medium">
              Config differences
            </h2>
            <table className="w-full text-sm" aria-label="Config differences">
              <thead className="text-left text-slate-500">
                <tr>
                  <th className="py-1 font-normal">Field</th>
                  {runs.map((r) => (
                    <th key={r!.id} className="py-1 font-normal">
                      {r!.name}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {diff.length === 0 && (
                  <tr>
                    <td colSpan={runs.length + 1} className="py-2 text-slate-500">
                      Same config.
                    </td>
                  </tr>
                )}
                {diff.map((d) => (
                  <tr key={d.path} className="border-t border-slate-100">
                    <td className="py-1.5 font-mono text-xs">{d.path}</td>
                    {d.values.map((v, i) => (
                      <td key={i} className="py-1.5 font-mono text-xs">
                        {v}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </>
      )}
    </div>
  );
}
