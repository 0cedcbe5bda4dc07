import { AppError, parseOrThrow, runIdParamSchema } from '@segmenta/contracts';
import { getRun } from '@segmenta/db';
import { getServer } from '@/server/context';
import { route } from '@/server/http';
import { requireOwner } from '@/server/auth';

export const dynamic = 'force-dynamic';

const POLL_MS = 1_000;

/**
 * Server-sent events: the run as JSON whenever it changes (status, progress, a new epoch row), until it
 * ends. The page needs no refresh; a dropped connection is re-opened by the browser's EventSource.
 */
export const GET = route<{ runId: string }>(async (req, { params, principal }) => {
  const { runId } = parseOrThrow(runIdParamSchema, await params, 'path');
  await requireOwner(principal, 'run', runId, 'view');
  const { db } = getServer();
  if (!(await getRun(db, runId))) throw new AppError('not_found', `Run ${runId} does not exist`);
  const encoder = new TextEncoder();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      let last = '';
      const tick = async () => {
        try {
          const run = await getRun(db, runId);
          if (!run) {
            controller.close();
            return;
          }
          const steps = await db.stepMetric.findMany({ where: { runId }, orderBy: { step: 'asc' }, select: { step: true, loss: true, learningRate: true } });
          const body = JSON.stringify({ ...run, steps });
          if (body !== last) {
            controller.enqueue(encoder.encode(`data: ${body}\n\n`));
            last = body;
          }
          if (run.status === 'completed' || run.status === 'failed' || run.status === 'cancelled') {
            controller.enqueue(encoder.encode('event: end\ndata: {}\n\n'));
            controller.close();
            return;
          }
        } catch {
          controller.enqueue(encoder.encode(': database unavailable, retrying\n\n'));
        }
        timer = setTimeout(tick, POLL_MS);
      };
      void tick();
      req.signal.addEventListener('abort', () => clearTimeout(timer));
    },
    cancel() {
      clearTimeout(timer);
    },
  });
  return new Response(stream, { headers: { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' } });
});
