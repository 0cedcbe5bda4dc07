import Link from 'next/link';

export function ProjectNav({ projectId, active }: { projectId: string; active: 'overview' | 'images' | 'upload' | 'runs' }) {
  const tab = (key: typeof active, href: string, label: string) => (
    <Link href={href} aria-current={active === key ? 'page' : undefined} className={`rounded-md px-3 py-1.5 text-sm ${active === key ? 'bg-indigo-600 text-white' : 'text-slate-600 hover:bg-slate-100'}`}>
      {label}
    </Link>
  );
  return (
    <nav aria-label="Project" className="flex gap-1">
      {tab('overview', `/projects/${projectId}`, 'Overview')}
      {tab('images', `/projects/${projectId}/images`, 'Images')}
      {tab('upload', `/projects/${projectId}/upload`, 'Upload')}
      {tab('runs', `/projects/${projectId}/runs`, 'Training')}
    </nav>
  );
}

/** The title row of every project page: name on the left, the project's tabs on the right. */
export function ProjectHeader({ project, active }: { project: { id: string; name: string }; active: Parameters<typeof ProjectNav>[0]['active'] }) {
  return (
    <div className="flex flex-wrap items-center justify-between gap-3">
      <h1 className="text-2xl font-semibold">{project.name}</h1>
      <ProjectNav projectId={project.id} active={active} />
    </div>
  );
}
