import { NextResponse } from 'next/server';
import { checkHashesBodySchema, parseOrThrow, projectIdParamSchema } from '@segmenta/contracts';
import { existingHashes } from '@segmenta/db';
import { getServer } from '@/server/context';
import { readJson, route } from '@/server/http';
import { requireProjectAction } from '@/server/auth';

export const dynamic = 'force-dynamic';

/** Resumable uploads: which of these sha256 hashes the project already holds (→ image id). */
export const POST = route<{ projectId: string }>(async (req, { params, principal }) => {
  const { projectId } = parseOrThrow(projectIdParamSchema, await params, 'path');
  await requireProjectAction(principal, projectId, 'upload');
  const { sha256 } = parseOrThrow(checkHashesBodySchema, await readJson(req, 500_000), 'hash list');
  return NextResponse.json({ existing: await existingHashes(getServer().db, projectId, sha256) });
});
