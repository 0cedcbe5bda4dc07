import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { listRuns, trainableSplitSizes } from '@segmenta/db';
import { LaunchRunForm } from '@/components/launch-run-form';
import { ProjectHeader } from '@/components/project-nav';
import { RunsTable } from '@/components/runs-table';
import { getServer } from '@/server/context';
import { canInProject, loadProject } from '@/server/load-project';
import { duplicateSource, runRow, stepTimeEstimates, trainingBackend } from '@/server/run-dashboard';
import { Refused } from '@/components/refused';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Training runs' };

export default async function RunsPage({ params, searchParams }: { params: Promise<{ projectId: string }>; searchParams: Promise<{ from?: string | string[] }> }) {
  const project = await loadProject((await params).projectId);
  if (!project) notFound();
  if (!canInProject(project.myRole, 'train')) return <Refused project={project} active="runs" what="see or launch training runs" />;
  const { db } = getServer();
  const fromId = (await searchParams).from;
  const backend = await trainingBackend();
  const [runs, splits, estimates, from] = await Promise.all([listRuns(db, project.id), trainableSplitSizes(db, project.id), stepTimeEstimates(backend), duplicateSource(project.id, typeof fromId === 'string' ? fromId : undefined)]);
  const now = Date.now();
  return (
    <div className="space-y-6">
      <ProjectHeader project={project} active="runs" />
      {/* Keyed by the source run so following another "Duplicate" link refills the form. */}
      <LaunchRunForm
        key={from?.id ?? 'new'}
        projectId={project.id}
        splits={splits}
        backend={backend}
        estimates={estimates}
        checkpointRuns={runs.filter((r) => r.checkpoints.length > 0).map((r) => ({ id: r.id, name: r.name, checkpoints: r.checkpoints.map((c) => ({ id: c.id, epoch: c.epoch, isBest: c.isBest })) }))}
        from={from}
      />
      {runs.length >= 2 && (
        <Link href={`/projects/${project.id}/runs/compare?ids=${runs.slice(0, 2).map((r) => r.id).join(',')}`} className="inline-block text-sm text-indigo-700 underline">
          Compare the two latest runs
        </Link>
      )}
      <RunsTable projectId={project.id} runs={runs.map((r) => runRow(r, now))} canTrain={canInProject(project.myRole, 'train')} canDelete={canInProject(project.myRole, 'delete')} />
    </div>
  );
}
