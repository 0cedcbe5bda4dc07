import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { Gallery } from '@/components/gallery';
import { ProjectHeader } from '@/components/project-nav';
import { loadProject } from '@/server/load-project';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Images' };

export default async function ImagesPage({ params }: { params: Promise<{ projectId: string }> }) {
  const project = await loadProject((await params).projectId);
  if (!project) notFound();
  const s = project.splitCounts;
  return (
    <div className="space-y-4">
      <ProjectHeader project={project} active="images" />
      <p className="text-sm text-slate-600">
        {project.imageCount} images · train {s.train} · val {s.val} · test {s.test} · unassigned {s.unassigned}
      </p>
      <Gallery projectId={project.id} classes={project.classes} />
    </div>
  );
}
