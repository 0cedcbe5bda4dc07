import { NextResponse } from 'next/server';
import { readFile } from 'node:fs/promises';
import { AppError, importQuerySchema, parseOrThrow, projectIdParamSchema } from '@segmenta/contracts';
import { route } from '@/server/http';
import { importAnnotations } from '@/server/interchange';
import { requireProjectAction } from '@/server/auth';
import { getServer } from '@/server/context';
import { readParts, withMultipart } from '@/server/multipart';
import { ZIP_LIMITS } from '@/server/zip';

export const dynamic = 'force-dynamic';

const missing = () => new AppError('validation_failed', 'Invalid import: annotations: attach the JSON file as the "annotations" part', [{ path: 'annotations', message: 'attach the JSON file' }]);

/**
 * `?format=coco|labelstudio&dryRun=true|false&createMissingClasses=true|false`, multipart: an
 * `annotations` JSON file and optional `images` (files or zips). All or nothing. The body streams to
 * a temp dir with limits (IMPORT_MAX_ANNOTATIONS_BYTES, IMPORT_MAX_IMAGES_BYTES), so a huge file is
 * refused with a 413 without the server ever holding it.
 */
export const POST = route<{ projectId: string }>(async (req, { params, principal }) => {
  const { projectId } = parseOrThrow(projectIdParamSchema, await params, 'path');
  await requireProjectAction(principal, projectId, 'import');
  const query = parseOrThrow(importQuerySchema, Object.fromEntries(new URL(req.url).searchParams), 'query');
  if (!(req.headers.get('content-type') ?? '').startsWith('multipart/form-data')) throw new AppError('unsupported_media_type', 'Expected multipart/form-data with an "annotations" file part');
  const { env } = getServer();
  const spec = {
    fields: {
      annotations: { maxBytes: env.IMPORT_MAX_ANNOTATIONS_BYTES, setting: 'IMPORT_MAX_ANNOTATIONS_BYTES' },
      images: { maxBytes: env.IMPORT_MAX_IMAGES_BYTES, setting: 'IMPORT_MAX_IMAGES_BYTES' },
    },
    maxFiles: ZIP_LIMITS.maxEntries + 1,
  };
  const result = await withMultipart(req, spec, async ({ files }) => {
    const parts = files.filter((f) => f.field === 'annotations');
    if (parts.length === 0) throw missing();
    if (parts.length > 1) throw new AppError('validation_failed', `Invalid import: annotations: attach exactly one "annotations" part (got ${parts.length})`, [{ path: 'annotations', message: `${parts.length} parts; expected one` }]);
    let json: unknown;
    try {
      json = JSON.parse(await readFile(parts[0]!.path, 'utf8'));
    } catch (err) {
      throw new AppError('validation_failed', `Invalid import: annotations: not valid JSON (${(err as Error).message})`, [{ path: 'annotations', message: 'not valid JSON' }]);
    }
    // Bounded by IMPORT_MAX_IMAGES_BYTES: images are decoded and stored from memory.
    const images = await readParts(files.filter((f) => f.field === 'images'));
    return importAnnotations(projectId, { ...query, json, images });
  });
  return NextResponse.json(result, { status: query.dryRun ? 200 : 201 });
});
