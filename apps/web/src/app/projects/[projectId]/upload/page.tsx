import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { ProjectNav } from '@/components/project-nav';
import { Uploader } from '@/components/uploader';
import { loadProject } from '@/server/load-project';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Upload' };

export default async function UploadPage({ params }: { params: Promise<{ projectId: string }> }) {
  const project = await loadProject((await params).projectId);
  if (!project) notFound();
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-semibold">{project.name}</h1>
        <ProjectNav projectId={project.id} active="upload" />
      </div>
      <Uploader projectId={project.id} />
    </div>
  );
}
