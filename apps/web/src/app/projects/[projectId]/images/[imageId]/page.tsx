import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { Editor } from '@/components/editor/editor';
import { loadImage, loadModelOptions, loadProject } from '@/server/load-project';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Annotate' };

type Params = Promise<{ projectId: string; imageId: string }>;
type Search = Promise<Record<string, string | string[] | undefined>>;

export default async function EditorPage({ params, searchParams }: { params: Params; searchParams: Search }) {
  const { projectId, imageId } = await params;
  const [image, project] = await Promise.all([loadImage(imageId), loadProject(projectId)]);
  if (!image || !project || image.projectId !== project.id) notFound();
  const models = await loadModelOptions(project.id);
  // The gallery's filters travel along so previous/next walk the same list.
  const sp = await searchParams;
  const query = new URLSearchParams();
  for (const key of ['split', 'status'] as const) {
    const v = sp[key];
    if (typeof v === 'string' && v) query.set(key, v);
  }
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-baseline gap-x-3 gap-y-1">
        <Link href={`/projects/${project.id}/images${query.size ? `?${query}` : ''}`} className="text-sm text-indigo-700 underline">
          ← {project.name}
        </Link>
        <h1 className="truncate text-lg font-semibold">{image.fileName}</h1>
        <span className="text-sm text-slate-500">
          {image.width} × {image.height} px
        </span>
      </div>
      <Editor
        key={image.id}
        projectId={project.id}
        image={{ id: image.id, fileName: image.fileName, width: image.width, height: image.height, status: image.status }}
        classes={project.classes}
        query={query.toString()}
        models={models}
      />
    </div>
  );
}
