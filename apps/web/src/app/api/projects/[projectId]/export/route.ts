import { exportQuerySchema, parseOrThrow, projectIdParamSchema } from '@segmenta/contracts';
import { route } from '@/server/http';
import { exportCoco } from '@/server/interchange';
import { requireProjectAction } from '@/server/auth';

export const dynamic = 'force-dynamic';

/** `?format=coco&split=train|val|test|unassigned&includeImages=true|false` → COCO JSON or a zip with images. */
export const GET = route<{ projectId: string }>(async (req, { params, principal }) => {
  const { projectId } = parseOrThrow(projectIdParamSchema, await params, 'path');
  await requireProjectAction(principal, projectId, 'export');
  const q = parseOrThrow(exportQuerySchema, Object.fromEntries(new URL(req.url).searchParams), 'query');
  const out = await exportCoco(projectId, q.split, q.includeImages);
  const name = `coco-${q.split ?? 'all'}.${out.ext}`;
  return new Response(new Uint8Array(out.body), { headers: { 'Content-Type': out.type, 'Content-Disposition': `attachment; filename="${name}"` } });
});
