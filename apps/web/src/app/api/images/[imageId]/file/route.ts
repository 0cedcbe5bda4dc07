import { z } from 'zod';
import { AppError, parseOrThrow } from '@segmenta/contracts';
import { BlobNotFoundError } from '@segmenta/db';
import { getServer } from '@/server/context';
import { route } from '@/server/http';
import { requireOwner } from '@/server/auth';

export const dynamic = 'force-dynamic';

const paramsSchema = z.object({ imageId: z.string().uuid('must be an image id (UUID)') });
const querySchema = z.object({ variant: z.enum(['thumb', 'web', 'original']).default('web') }).strict();

const MIME_BY_VARIANT = { thumb: 'image/webp', web: 'image/jpeg' } as const;

/** Image files are served only through this route: the path comes from the row, never from the request. */
export const GET = route<{ imageId: string }>(async (req, { params, principal }) => {
  const { imageId } = parseOrThrow(paramsSchema, await params, 'path');
  const { variant } = parseOrThrow(querySchema, Object.fromEntries(new URL(req.url).searchParams), 'query');
  await requireOwner(principal, 'image', imageId, 'view');
  const { db, store } = getServer();
  const image = await db.image.findUnique({ where: { id: imageId }, select: { originalKey: true, webKey: true, thumbKey: true, mimeType: true } });
  if (!image) throw new AppError('not_found', `Image ${imageId} does not exist`);
  const key = variant === 'thumb' ? image.thumbKey : variant === 'web' ? image.webKey : image.originalKey;
  let bytes: Buffer;
  try {
    bytes = await store.get(key);
  } catch (err) {
    if (err instanceof BlobNotFoundError) throw new AppError('not_found', `The ${variant} file of image ${imageId} is missing from storage; run the repair-derived-files job`);
    throw err;
  }
  return new Response(new Uint8Array(bytes), {
    headers: {
      'Content-Type': variant === 'original' ? image.mimeType : MIME_BY_VARIANT[variant],
      // Keys are content addresses: the bytes behind this URL change only if the row does.
      'Cache-Control': 'private, max-age=300',
      ETag: `"${key.split('/').pop()}"`,
    },
  });
});
