import { repairDerivedFilesJobSchema } from '@segmenta/contracts';
import { findImagesMissingDerivedFiles, type BlobStore, type Db } from '@segmenta/db';
import { deriveFromOriginal } from '@segmenta/imaging';
import { defineHandler } from '../runtime';

/**
 * Regenerates web copies and thumbnails that are missing from storage (a restored backup, a changed
 * thumbnail size). Derived files are content-addressed, so a regenerated file may get a new key: the
 * row is updated only after the new file is safely stored.
 */
export function repairDerivedFilesHandler(deps: { db: Db; store: BlobStore }) {
  return defineHandler(repairDerivedFilesJobSchema, async ({ data, signal, log, progress }) => {
    const { checked, missing } = await findImagesMissingDerivedFiles(deps.db, deps.store, data.projectId);
    let repaired = 0;
    const failures: { imageId: string; error: string }[] = [];
    for (const image of missing) {
      signal.throwIfAborted();
      try {
        const { web, thumb } = await deriveFromOriginal(await deps.store.get(image.originalKey));
        const [webRef, thumbRef] = await Promise.all([deps.store.put(web, 'jpg'), deps.store.put(thumb, 'webp')]);
        await deps.db.image.update({ where: { id: image.id }, data: { webKey: webRef.key, thumbKey: thumbRef.key } });
        repaired++;
      } catch (err) {
        failures.push({ imageId: image.id, error: (err as Error).message });
        log('warn', 'could not repair image', { imageId: image.id, error: (err as Error).message });
      }
      await progress(repaired + failures.length, missing.length);
    }
    return { checked, missing: missing.length, repaired, failures };
  });
}
