import { NextResponse } from 'next/server';
import { AppError, listImagesQuerySchema, parseOrThrow, projectIdParamSchema } from '@segmenta/contracts';
import { InvalidCursorError, listImages } from '@segmenta/db';
import { getServer } from '@/server/context';
import { route } from '@/server/http';
import { ingestFiles } from '@/server/ingest';
import { requireProjectAction } from '@/server/auth';
import { readParts, withMultipart } from '@/server/multipart';
import { ZIP_LIMITS } from '@/server/zip';

export const dynamic = 'force-dynamic';

type Params = { projectId: string };

export const GET = route<Params>(async (req, { params, principal }) => {
  const { projectId } = parseOrThrow(projectIdParamSchema, await params, 'path');
  await requireProjectAction(principal, projectId, 'view');
  const query = parseOrThrow(listImagesQuerySchema, Object.fromEntries(new URL(req.url).searchParams), 'query');
  try {
    return NextResponse.json(await listImages(getServer().db, projectId, query));
  } catch (err) {
    if (err instanceof InvalidCursorError) throw new AppError('validation_failed', `Invalid query: cursor: ${err.message}`, [{ path: 'cursor', message: err.message }]);
    throw err;
  }
});

/**
 * Multipart upload: one or more `files` parts, each an image or a zip of images. The body streams to a
 * temp dir under UPLOAD_MAX_BYTES (a larger one is a 413 before anything is stored); the kept files are
 * then read into memory to be decoded and stored.
 */
export const POST = route<Params>(async (req, { params, principal }) => {
  const { projectId } = parseOrThrow(projectIdParamSchema, await params, 'path');
  await requireProjectAction(principal, projectId, 'upload');
  const type = req.headers.get('content-type') ?? '';
  if (!type.startsWith('multipart/form-data')) throw new AppError('unsupported_media_type', `Expected multipart/form-data with "files" parts, got "${type || 'none'}"`);
  const { db, store, env } = getServer();
  const spec = { fields: { files: { maxBytes: env.UPLOAD_MAX_BYTES, setting: 'UPLOAD_MAX_BYTES' } }, maxFiles: ZIP_LIMITS.maxEntries };
  const result = await withMultipart(req, spec, async ({ files: parts }) => {
    if (parts.length === 0) throw new AppError('validation_failed', 'Invalid upload: files: attach at least one file', [{ path: 'files', message: 'attach at least one file' }]);
    return ingestFiles(db, store, projectId, await readParts(parts));
  });
  return NextResponse.json(result, { status: result.images.length > 0 ? 201 : 400 });
});
