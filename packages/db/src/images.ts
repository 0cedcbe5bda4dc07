import type { ImageDto, ListImagesQuery, Split } from '@segmenta/contracts';
import type { Db } from './client';
import { deleteUnreferencedBlobs } from './blob-gc';
import type { BlobRef, BlobStore } from './storage/blob-store';

/** Storage keys an image row points at. */
export function imageBlobKeys(image: { originalKey: string; webKey: string; thumbKey: string }): string[] {
  return [image.originalKey, image.webKey, image.thumbKey];
}

/**
 * Images whose derived files (web copy, thumbnail) are missing from storage while the original is
 * there: what the repair job regenerates.
 */
export async function findImagesMissingDerivedFiles(db: Db, store: BlobStore, projectId?: string) {
  const images = await db.image.findMany({
    where: projectId ? { projectId } : {},
    select: { id: true, originalKey: true, webKey: true, thumbKey: true, mimeType: true },
    orderBy: { id: 'asc' },
  });
  const missing: typeof images = [];
  for (const image of images) {
    const [web, thumb] = await Promise.all([store.exists(image.webKey), store.exists(image.thumbKey)]);
    if (!web || !thumb) missing.push(image);
  }
  return { checked: images.length, missing };
}

const imageSelect = {
  id: true,
  projectId: true,
  fileName: true,
  mimeType: true,
  width: true,
  height: true,
  sizeBytes: true,
  sha256: true,
  split: true,
  status: true,
  createdAt: true,
  _count: { select: { annotations: true } },
} as const;

type ImageRow = Omit<ImageDto, 'annotationCount' | 'createdAt'> & { createdAt: Date; _count: { annotations: number } };

function toDto({ _count, createdAt, ...rest }: ImageRow): ImageDto {
  return { ...rest, annotationCount: _count.annotations, createdAt: createdAt.toISOString() };
}

export async function getImage(db: Db, id: string): Promise<ImageDto | null> {
  const row = await db.image.findUnique({ where: { id }, select: imageSelect });
  return row ? toDto(row) : null;
}

export class InvalidCursorError extends Error {
  constructor() {
    super('cursor is not one this API returned');
    this.name = 'InvalidCursorError';
  }
}

function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(`${createdAt.toISOString()}|${id}`).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const [iso, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  const createdAt = new Date(iso ?? '');
  if (!id || Number.isNaN(createdAt.getTime()) || !/^[0-9a-f-]{36}$/.test(id)) throw new InvalidCursorError();
  return { createdAt, id };
}

/**
 * Newest first, keyset-paginated on (createdAt, id): page N costs the same as page 1, and rows added
 * meanwhile never shift a page. `nextCursor` is null on the last page.
 */
export async function listImages(db: Db, projectId: string, q: ListImagesQuery): Promise<{ images: ImageDto[]; nextCursor: string | null }> {
  const after = q.cursor ? decodeCursor(q.cursor) : null;
  const rows = await db.image.findMany({
    where: {
      projectId,
      ...(q.split ? { split: q.split } : {}),
      ...(q.status ? { status: q.status } : {}),
      ...(q.classId ? { annotations: { some: { labelClassId: q.classId } } } : {}),
      ...(after ? { OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }] } : {}),
    },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: q.limit + 1,
    select: imageSelect,
  });
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return { images: page.map(toDto), nextCursor: rows.length > q.limit && last ? encodeCursor(last.createdAt, last.id) : null };
}

/** Which of these hashes the project already holds (resumable uploads skip them). */
export async function existingHashes(db: Db, projectId: string, sha256: string[]): Promise<Record<string, string>> {
  const rows = await db.image.findMany({ where: { projectId, sha256: { in: sha256 } }, select: { id: true, sha256: true } });
  return Object.fromEntries(rows.map((r) => [r.sha256, r.id]));
}

export interface NewImage {
  projectId: string;
  fileName: string;
  mimeType: string;
  width: number;
  height: number;
  original: BlobRef;
  web: BlobRef;
  thumb: BlobRef;
}

/**
 * Inserts the row for files already in storage. A concurrent upload of the same bytes loses the race
 * on the (project, sha256) unique key and is reported as a duplicate of the winner.
 */
export async function insertImage(db: Db, img: NewImage): Promise<{ id: string; duplicateOf?: string }> {
  try {
    const row = await db.image.create({
      data: {
        projectId: img.projectId,
        sha256: img.original.sha256,
        fileName: img.fileName,
        mimeType: img.mimeType,
        width: img.width,
        height: img.height,
        sizeBytes: img.original.size,
        originalKey: img.original.key,
        webKey: img.web.key,
        thumbKey: img.thumb.key,
      },
      select: { id: true },
    });
    return { id: row.id };
  } catch (err) {
    if ((err as { code?: string }).code !== 'P2002') throw err;
    const existing = await db.image.findUniqueOrThrow({ where: { projectId_sha256: { projectId: img.projectId, sha256: img.original.sha256 } }, select: { id: true } });
    return { id: existing.id, duplicateOf: existing.id };
  }
}

/** Deletes the image row (annotations and predictions cascade), then its files if nothing else uses them. */
export async function deleteImage(db: Db, store: BlobStore, id: string): Promise<boolean> {
  const row = await db.image.findUnique({ where: { id }, select: { originalKey: true, webKey: true, thumbKey: true } });
  if (!row) return false;
  await db.image.delete({ where: { id } });
  await deleteUnreferencedBlobs(db, store, imageBlobKeys(row));
  return true;
}

export async function setImagesSplit(db: Db, projectId: string, imageIds: string[], split: Split): Promise<number> {
  const { count } = await db.image.updateMany({ where: { projectId, id: { in: imageIds } }, data: { split } });
  return count;
}

