import type { Metadata } from 'next';
import Link from 'next/link';
import { listProjects, visibleProjectIds } from '@segmenta/db';
import { pagePrincipal } from '@/server/auth/page';
import { CreateProjectForm } from '@/components/create-project-form';
import { getServer } from '@/server/context';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Projects' };

export default async function ProjectsPage() {
  const principal = await pagePrincipal();
  const { db } = getServer();
  const projects = await listProjects(db, { onlyIds: await visibleProjectIds(db, principal) });
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center justify-between gap-4">
        <h1 className="text-2xl font-semibold">Projects</h1>
        {principal.role !== 'annotator' && <CreateProjectForm />}
      </div>
      {projects.length === 0 ? (
        <p className="rounded-lg border border-dashed border-slate-300 bg-white p-8 text-center text-slate-600">No projects yet. Create one to start uploading images.</p>
      ) : (
        <ul className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3" aria-label="Projects">
          {projects.map((p) => (
            <li key={p.id}>
              <Link
                href={`/projects/${p.id}`}
                className="block h-full rounded-lg border border-slate-200 bg-white p-4 shadow-sm transition hover:border-indigo-300 hover:shadow focus:outline-none focus:ring-2 focus:ring-indigo-300"
              >
                <h2 className="font-medium">{p.name}</h2>
                {p.description && <p className="mt-1 line-clamp-2 text-sm text-slate-600">{p.description}</p>}
                <p className="mt-3 text-sm text-slate-500">
                  <span className="tabular-nums">{p.imageCount}</span> images · <span className="tabular-nums">{p.annotationCount}</span> annotations
                </p>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
