import type { Db } from './client';
import type { BlobStore } from './storage/blob-store';

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
