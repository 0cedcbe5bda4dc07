import { NextResponse } from 'next/server';
import { assignSplitBodySchema, autoSplitBodySchema, parseOrThrow, projectIdParamSchema } from '@segmenta/contracts';
import { autoSplit, getProject, setImagesSplit } from '@segmenta/db';
import { getServer } from '@/server/context';
import { readJson, route } from '@/server/http';
import { requireProjectAction } from '@/server/auth';

export const dynamic = 'force-dynamic';

/**
 * `{ train, val, test, seed }` splits automatically (stratified by class, reproducible for a seed);
 * `{ imageIds, split }` assigns the selected images by hand.
 */
export const POST = route<{ projectId: string }>(async (req, { params, principal }) => {
  const { projectId } = parseOrThrow(projectIdParamSchema, await params, 'path');
  await requireProjectAction(principal, projectId, 'manage');
  const raw = await readJson(req, 1_000_000);
  const { db } = getServer();
  if (raw && typeof raw === 'object' && 'imageIds' in raw) {
    const body = parseOrThrow(assignSplitBodySchema, raw, 'split assignment');
    const updated = await setImagesSplit(db, projectId, body.imageIds, body.split);
    return NextResponse.json({ updated, splitCounts: (await getProject(db, projectId))?.splitCounts });
  }
  const body = parseOrThrow(autoSplitBodySchema, raw, 'split ratios');
  const assigned = await autoSplit(db, projectId, body);
  return NextResponse.json({ assigned, splitCounts: (await getProject(db, projectId))?.splitCounts });
});
