import { AppError, parseOrThrow, runIdParamSchema } from '@segmenta/contracts';
import { getRun } from '@segmenta/db';
import { getServer } from '@/server/context';
import { route } from '@/server/http';
import { requireOwner } from '@/server/auth';

export const dynamic = 'force-dynamic';

const COLUMNS = ['epoch', 'split', 'loss', 'lossClassifier', 'lossBoxReg', 'lossMask', 'lossObjectness', 'lossRpnBoxReg', 'mapBbox', 'mapSegm', 'accuracy'] as const;

/** Every epoch's metrics, one row per epoch and split, as CSV. */
export const GET = route<{ runId: string }>(async (_req, { params, principal }) => {
  const { runId } = parseOrThrow(runIdParamSchema, await params, 'path');
  await requireOwner(principal, 'run', runId, 'view');
  const run = await getRun(getServer().db, runId);
  if (!run) throw new AppError('not_found', `Run ${runId} does not exist`);
  const lines = [COLUMNS.join(','), ...run.metrics.map((m) => COLUMNS.map((c) => (m[c] === null ? '' : String(m[c]))).join(','))];
  return new Response(`${lines.join('\n')}\n`, {
    headers: { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="run-${runId}-metrics.csv"` },
  });
});
