import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { RunLive } from '@/components/run-live';
import { getServer } from '@/server/context';
import { loadRun } from '@/server/load-project';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Run' };

export default async function RunPage({ params }: { params: Promise<{ runId: string }> }) {
  const { runId } = await params;
  const { db } = getServer();
  const run = await loadRun(runId);
  if (!run) notFound();
  const steps = await db.stepMetric.findMany({ where: { runId }, orderBy: { step: 'asc' }, select: { step: true, loss: true, learningRate: true } });
  return (
    <div className="space-y-4">
      <div className="flex gap-4">
        <Link href={`/projects/${run.projectId}/runs`} className="text-sm text-indigo-700 underline">
          ← All runs
        </Link>
        <Link href={`/projects/${run.projectId}/runs/${run.id}/review`} className="text-sm text-indigo-700 underline">
          Review predictions
        </Link>
      </div>
      <RunLive initial={{ ...run, steps }} />
    </div>
  );
}
