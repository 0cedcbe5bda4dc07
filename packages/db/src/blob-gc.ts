import type { Db } from './client';
import type { BlobStore } from './storage/blob-store';

/**
 * Blobs are content-addressed and may be shared (the same photo in two projects, a thumbnail equal
 * across re-uploads), so a blob is deleted only when no row refers to it any more. Call after the
 * rows are gone; a crash in between leaves an unreferenced file, never a row without its file.
 */
export async function deleteUnreferencedBlobs(db: Db, store: BlobStore, keys: Iterable<string>): Promise<number> {
  const unique = [...new Set(keys)];
  if (unique.length === 0) return 0;
  const images = await db.image.findMany({
    where: { OR: [{ originalKey: { in: unique } }, { webKey: { in: unique } }, { thumbKey: { in: unique } }] },
    select: { originalKey: true, webKey: true, thumbKey: true },
  });
  const stillUsed = new Set<string>();
  for (const i of images) for (const k of [i.originalKey, i.webKey, i.thumbKey]) stillUsed.add(k);
  let deleted = 0;
  for (const key of unique) {
    if (stillUsed.has(key)) continue;
    await store.delete(key);
    deleted++;
  }
  return deleted;
}
