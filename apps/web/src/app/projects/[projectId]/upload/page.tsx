import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { ProjectHeader } from '@/components/project-nav';
import { Uploader } from '@/components/uploader';
import { canInProject, loadProject } from '@/server/load-project';
import { Refused } from '@/components/refused';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Upload' };

export default async function UploadPage({ params }: { params: Promise<{ projectId: string }> }) {
  const project = await loadProject((await params).projectId);
  if (!project) notFound();
  if (!canInProject(project.myRole, 'upload')) return <Refused project={project} active="upload" what="upload images" />;
  return (
    <div className="space-y-4">
      <ProjectHeader project={project} active="upload" />
      <Uploader projectId={project.id} />
    </div>
  );
}
