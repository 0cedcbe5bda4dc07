import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { listRuns } from '@segmenta/db';
import { LaunchRunForm } from '@/components/launch-run-form';
import { ProjectHeader } from '@/components/project-nav';
import { getServer } from '@/server/context';
import { loadProject } from '@/server/load-project';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Training runs' };

const fmt = (v: number | null | undefined, d = 4) => (v == null ? '—' : v.toFixed(d));

export default async function RunsPage({ params }: { params: Promise<{ projectId: string }> }) {
  const project = await loadProject((await params).projectId);
  if (!project) notFound();
  const runs = await listRuns(getServer().db, project.id);
  return (
    <div className="space-y-6">
      <ProjectHeader project={project} active="runs" />
      <LaunchRunForm projectId={project.id} trainImages={project.splitCounts.train} />
      {runs.length >= 2 && (
        <Link href={`/projects/${project.id}/runs/compare?ids=${runs.slice(0, 2).map((r) => r.id).join(',')}`} className="inline-block text-sm text-indigo-700 underline">
          Compare the two latest runs
        </Link>
      )}
      <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
        <table className="w-full text-sm" aria-label="Training runs">
          <thead className="bg-slate-50 text-left text-slate-500">
            <tr>
              {['Run', 'Status', 'Preset', 'Backend', 'Epochs', 'Best val loss', 'Best val segm mAP', 'Started'].map((h) => (
                <th key={h} className="px-3 py-2 font-normal">
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {runs.length === 0 && (
              <tr>
                <td colSpan={8} className="px-3 py-6 text-center text-slate-500">
                  No runs yet.
                </td>
              </tr>
            )}
            {runs.map((r) => {
              const val = r.metrics.filter((m) => m.split === 'val');
              const bestLoss = val.length ? Math.min(...val.map((m) => m.loss)) : null;
              const bestMap = val.length ? Math.max(...val.map((m) => m.mapSegm ?? 0)) : null;
              return (
                <tr key={r.id} className="border-t border-slate-100">
                  <td className="px-3 py-2">
                    <Link href={`/runs/${r.id}`} className="text-indigo-700 underline">
                      {r.name}
                    </Link>
                  </td>
                  <td className="px-3 py-2">{r.status}</td>
                  <td className="px-3 py-2">{(r.config as { preset?: string }).preset}</td>
                  <td className="px-3 py-2">{r.backend ?? '—'}</td>
                  <td className="px-3 py-2 tabular-nums">
                    {r.epochsDone}/{r.epochs}
                  </td>
                  <td className="px-3 py-2 tabular-nums">{fmt(bestLoss)}</td>
                  <td className="px-3 py-2 tabular-nums">{fmt(bestMap, 3)}</td>
                  <td className="px-3 py-2 text-slate-500">{r.startedAt ? new Date(r.startedAt).toISOString().slice(0, 16).replace('T', ' ') : '—'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}
