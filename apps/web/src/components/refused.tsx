import { ProjectHeader } from './project-nav';

/** What a project member sees on a page their role does not open (the 403 of pages). */
export function Refused({ project, active, what }: { project: { id: string; name: string; myRole: string }; active: Parameters<typeof ProjectHeader>[0]['active']; what: string }) {
  return (
    <div className="space-y-4">
      <ProjectHeader project={project} active={active} />
      <p role="alert" data-status="403" className="rounded-lg border border-amber-300 bg-amber-50 p-4 text-amber-900">
        As {project.myRole === 'annotator' ? 'an annotator' : `a ${project.myRole}`} in this project you cannot {what}. Ask the project&apos;s owner or an admin if you need to.
      </p>
    </div>
  );
}
