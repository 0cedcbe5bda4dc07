import { NextResponse } from 'next/server';
import { AppError, importQuerySchema, parseOrThrow, projectIdParamSchema } from '@segmenta/contracts';
import { route } from '@/server/http';
import { importAnnotations } from '@/server/interchange';
import { requireProjectAction } from '@/server/auth';

export const dynamic = 'force-dynamic';

/**
 * `?format=coco|labelstudio&dryRun=true|false&createMissingClasses=true|false`, multipart: an
 * `annotations` JSON file and optional `images` (files or zips). All or nothing.
 */
export const POST = route<{ projectId: string }>(async (req, { params, principal }) => {
  const { projectId } = parseOrThrow(projectIdParamSchema, await params, 'path');
  await requireProjectAction(principal, projectId, 'import');
  const query = parseOrThrow(importQuerySchema, Object.fromEntries(new URL(req.url).searchParams), 'query');
  if (!(req.headers.get('content-type') ?? '').startsWith('multipart/form-data')) throw new AppError('unsupported_media_type', 'Expected multipart/form-data with an "annotations" file part');
  const form = await req.formData().catch((err: Error) => {
    throw new AppError('bad_request', `The multipart body could not be read: ${err.message}`);
  });
  const annotations = form.get('annotations');
  if (!annotations || typeof annotations === 'string') throw new AppError('validation_failed', 'Invalid import: annotations: attach the JSON file as the "annotations" part', [{ path: 'annotations', message: 'attach the JSON file' }]);
  let json: unknown;
  try {
    json = JSON.parse(await annotations.text());
  } catch (err) {
    throw new AppError('validation_failed', `Invalid import: annotations: not valid JSON (${(err as Error).message})`, [{ path: 'annotations', message: 'not valid JSON' }]);
  }
  const images = await Promise.all(form.getAll('images').filter((p): p is File => typeof p !== 'string').map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })));
  const result = await importAnnotations(projectId, { ...query, json, images });
  return NextResponse.json(result, { status: query.dryRun ? 200 : 201 });
});
