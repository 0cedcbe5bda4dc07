import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { ProjectHeader } from '@/components/project-nav';
import { ReviewApp } from '@/components/review/review-app';
import { getServer } from '@/server/context';
import { canInProject, loadProject, loadRun } from '@/server/load-project';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Review predictions' };

export default async function ReviewPage({ params }: { params: Promise<{ projectId: string; runId: string }> }) {
  const { projectId, runId } = await params;
  const [project, run] = await Promise.all([loadProject(projectId), loadRun(runId)]);
  if (!project || !run || run.projectId !== project.id) notFound();
  const predictions = await getServer().db.prediction.count({ where: { runId } });
  return (
    <div className="space-y-4">
      <ProjectHeader project={project} active="runs" />
      <div className="flex flex-wrap items-baseline gap-3">
        <h2 className="text-lg font-semibold">Review predictions of “{run.name}”</h2>
        <Link href={`/runs/${run.id}`} className="text-sm text-indigo-700 underline">
          ← Run details
        </Link>
      </div>
      <ReviewApp
        projectId={project.id}
        runId={run.id}
        classes={project.classes.map((c) => ({ id: c.id, name: c.name, color: c.color }))}
        hasPredictions={predictions > 0}
        hasCheckpoint={run.checkpoints.length > 0}
        canPredict={canInProject(project.myRole, 'predict')}
        canAnnotate={canInProject(project.myRole, 'annotate')}
      />
    </div>
  );
}
