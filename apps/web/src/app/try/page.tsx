import type { Metadata } from 'next';
import { TryIt } from '@/components/try-it';
import { visibleProjectIds } from '@segmenta/db';
import { pagePrincipal } from '@/server/auth/page';
import { getServer } from '@/server/context';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Try a model' };

export default async function TryPage() {
  // Runs that have a best checkpoint, newest first: the first is the default ("the latest best").
  const { db } = getServer();
  const visible = await visibleProjectIds(db, await pagePrincipal());
  const ckpts = await db.checkpoint.findMany({
    where: { isBest: true, ...(visible ? { run: { projectId: { in: visible } } } : {}) },
    orderBy: { createdAt: 'desc' },
    take: 50,
    include: { run: { select: { id: true, name: true, project: { select: { name: true } } } } },
  });
  const runs = ckpts.map((c) => ({ id: c.run.id, label: `${c.run.project.name} · ${c.run.name} (epoch ${c.epoch})` }));
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">Try a model</h1>
      <TryIt runs={runs} />
    </div>
  );
}
