import { NextResponse } from 'next/server';
import { AppError, listImagesQuerySchema, parseOrThrow, projectIdParamSchema } from '@segmenta/contracts';
import { InvalidCursorError, listImages } from '@segmenta/db';
import { getServer } from '@/server/context';
import { route } from '@/server/http';
import { ingestFiles } from '@/server/ingest';
import { requireProjectAction } from '@/server/auth';

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

/** Multipart upload: one or more `files` parts, each an image or a zip of images. */
export const POST = route<Params>(async (req, { params, principal }) => {
  const { projectId } = parseOrThrow(projectIdParamSchema, await params, 'path');
  await requireProjectAction(principal, projectId, 'upload');
  const type = req.headers.get('content-type') ?? '';
  if (!type.startsWith('multipart/form-data')) throw new AppError('unsupported_media_type', `Expected multipart/form-data with "files" parts, got "${type || 'none'}"`);
  let form: FormData;
  try {
    form = await req.formData();
  } catch (err) {
    throw new AppError('bad_request', `The multipart body could not be read: ${(err as Error).message}`);
  }
  const parts = form.getAll('files').filter((p): p is File => typeof p !== 'string');
  if (parts.length === 0) throw new AppError('validation_failed', 'Invalid upload: files: attach at least one file', [{ path: 'files', message: 'attach at least one file' }]);
  const files = await Promise.all(parts.map(async (p) => ({ name: p.name, bytes: new Uint8Array(await p.arrayBuffer()) })));
  const { db, store } = getServer();
  const result = await ingestFiles(db, store, projectId, files);
  return NextResponse.json(result, { status: result.images.length > 0 ? 201 : 400 });
});
