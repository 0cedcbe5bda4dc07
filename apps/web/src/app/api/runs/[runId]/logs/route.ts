import { NextResponse } from 'next/server';
import { parseOrThrow, runIdParamSchema, runLogsQuerySchema } from '@segmenta/contracts';
import { listRunLogs } from '@segmenta/db';
import { getServer } from '@/server/context';
import { route } from '@/server/http';
import { requireOwner } from '@/server/auth';

export const dynamic = 'force-dynamic';

/** The run's log lines after `after` (an id from an earlier answer), oldest first, at most `limit`. */
export const GET = route<{ runId: string }>(async (req, { params, principal }) => {
  const { runId } = parseOrThrow(runIdParamSchema, await params, 'path');
  await requireOwner(principal, 'run', runId, 'view');
  const query = parseOrThrow(runLogsQuerySchema, Object.fromEntries(new URL(req.url).searchParams), 'query');
  return NextResponse.json(await listRunLogs(getServer().db, runId, query), { headers: { 'Cache-Control': 'no-store' } });
});
