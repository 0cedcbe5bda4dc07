import { z } from 'zod';
import { parseOrThrow } from '@segmenta/contracts';
import { route } from '@/server/http';
import { checkpointOfRun, modelFileParamSchema, requireRunForModel, serveModelFile } from '@/server/model-files';

export const dynamic = 'force-dynamic';

const paramsSchema = z.object({
  runId: z.string().uuid('must be a run id (UUID)'),
  checkpointId: z.string().uuid('must be a checkpoint id (UUID)'),
  file: modelFileParamSchema,
});

/**
 * model.json or the weights file of one checkpoint. A checkpoint's files are written once (a resumed
 * run continues after its last saved epoch), so this URL is cached as immutable.
 */
export const GET = route<{ runId: string; checkpointId: string; file: string }>(async (req, { params, principal }) => {
  const { runId, checkpointId, file } = parseOrThrow(paramsSchema, await params, 'path');
  await requireRunForModel(principal, runId);
  return serveModelFile(req, await checkpointOfRun(runId, checkpointId), file, 'private, max-age=31536000, immutable');
});
