import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { ClassEditor, ProjectActions } from '@/components/class-editor';
import { ProjectNav } from '@/components/project-nav';
import { Stat } from '@/components/stat';
import { getServer } from '@/server/context';
import { canInProject, loadProject as load } from '@/server/load-project';
import { annotationProgress, latestRunSummaries, listMembers } from '@segmenta/db';
import { ProjectDashboard } from '@/components/project-dashboard';
import { MembersEditor } from '@/components/members-editor';

export const dynamic = 'force-dynamic';

export async function generateMetadata({ params }: { params: Promise<{ projectId: string }> }): Promise<Metadata> {
  const project = await load((await params).projectId);
  return { title: project?.name ?? 'Project not found' };
}

export default async function ProjectPage({ params }: { params: Promise<{ projectId: string }> }) {
  const project = await load((await params).projectId);
  if (!project) notFound();
  const { db } = getServer();
  const [progress, latestRuns] = await Promise.all([annotationProgress(db, project.id), latestRunSummaries(db, project.id, 3)]);
  const preview = await db.image.findMany({ where: { projectId: project.id }, orderBy: { createdAt: 'asc' }, take: 12, select: { id: true, fileName: true } });
  return (
    <div className="space-y-8">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <h1 className="text-2xl font-semibold">{project.name}</h1>
          {project.description && <p className="mt-1 text-slate-600">{project.description}</p>}
          {canInProject(project.myRole, 'manage') && (
            <div className="mt-2">
              <ProjectActions projectId={project.id} name={project.name} archived={project.archived} />
            </div>
          )}
        </div>
        <ProjectNav projectId={project.id} active="overview" />
      </div>
      <dl className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-6" aria-label="Counts">
        <Stat label="Images" value={project.imageCount} />
        <Stat label="Annotations" value={project.annotationCount} />
        <Stat label="Train" value={project.splitCounts.train} />
        <Stat label="Val" value={project.splitCounts.val} />
        <Stat label="Test" value={project.splitCounts.test} />
        <Stat label="Unassigned" value={project.splitCounts.unassigned} />
      </dl>
      <ProjectDashboard projectId={project.id} progress={progress} classes={project.classes} classCounts={project.classCounts} runs={latestRuns} />
      <section aria-labelledby="classes-heading">
        <h2 id="classes-heading" className="mb-3 text-lg font-medium">
          Classes
        </h2>
        <ClassEditor projectId={project.id} classes={project.classes} counts={project.classCounts} />
      </section>
      {preview.length > 0 && (
        <section aria-labelledby="images-heading">
          <h2 id="images-heading" className="mb-3 text-lg font-medium">
            Images
          </h2>
          <ul className="grid grid-cols-3 gap-2 sm:grid-cols-4 lg:grid-cols-6">
            {preview.map((img) => (
              <li key={img.id} className="overflow-hidden rounded border border-slate-200 bg-white">
                {/* Thumbnails are already small webp files served by our own checked route. */}
                <img src={`/api/images/${img.id}/file?variant=thumb`} alt={img.fileName} loading="lazy" className="aspect-[4/3] w-full object-cover" />
              </li>
            ))}
          </ul>
        </section>
      )}
      <section aria-labelledby="members-heading">
        <h2 id="members-heading" className="mb-3 text-lg font-medium">
          Members
        </h2>
        <MembersEditor projectId={project.id} members={await listMembers(db, project.id)} canEdit={canInProject(project.myRole, 'members')} />
      </section>
    </div>
  );
}
