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
