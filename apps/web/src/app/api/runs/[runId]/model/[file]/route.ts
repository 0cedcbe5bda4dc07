import { z } from 'zod';
import { parseOrThrow } from '@segmenta/contracts';
import { route } from '@/server/http';
import { bestCheckpoint, modelFileParamSchema, requireRunForModel, serveModelFile } from '@/server/model-files';

export const dynamic = 'force-dynamic';

const paramsSchema = z.object({ runId: z.string().uuid('must be a run id (UUID)'), file: modelFileParamSchema });

/**
 * model.json or the weights file of the run's best checkpoint, for a browser that runs the model
 * itself. Which checkpoint is best changes while a run trains, so caches revalidate (ETag); the
 * checkpoint route serves the same files under an immutable URL.
 */
export const GET = route<{ runId: string; file: string }>(async (req, { params, principal }) => {
  const { runId, file } = parseOrThrow(paramsSchema, await params, 'path');
  await requireRunForModel(principal, runId);
  return serveModelFile(req, await bestCheckpoint(runId), file, 'private, no-cache');
});
