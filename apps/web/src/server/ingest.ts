import 'server-only';
import type { UploadResultDto } from '@segmenta/contracts';
import { deleteUnreferencedBlobs, existingHashes, getImage, insertImage, type Db, type LocalBlobStore } from '@segmenta/db';
import { ImageInputError, processUpload } from '@segmenta/imaging';
import { createHash } from 'node:crypto';
import { looksLikeZip, readZip, ZipRejectedError } from './zip';

/** A display name safe to store and show: base name only, NFC, no control characters, ≤ 255 chars. */
export function cleanFileName(raw: string): string {
  const base = raw.replace(/\\/g, '/').split('/').pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = base.normalize('NFC').replace(/[\u0000-\u001f\u007f]/g, '').trim() || 'unnamed';
  if (clean.length <= 255) return clean;
  const dot = clean.lastIndexOf('.');
  const ext = dot > 0 && clean.length - dot <= 10 ? clean.slice(dot) : '';
  return clean.slice(0, 255 - ext.length) + ext;
}

/**
 * Stores each file (or each image inside a zip) as an image of the project. Files are independent:
 * one bad file gets its own error and the rest still land. A file's blobs are written before its row;
 * if the row cannot be written, blobs no row uses are removed again, so nothing is left half-stored.
 */
export async function ingestFiles(db: Db, store: LocalBlobStore, projectId: string, files: { name: string; bytes: Uint8Array }[]): Promise<UploadResultDto> {
  const result: UploadResultDto = { images: [], errors: [] };
  const queue: { name: string; bytes: Uint8Array }[] = [];
  for (const f of files) {
    if (looksLikeZip(f.bytes)) {
      try {
        const { entries } = readZip(f.bytes);
        for (const e of entries) queue.push({ name: e.name, bytes: e.bytes });
      } catch (err) {
        result.errors.push({ fileName: cleanFileName(f.name), message: err instanceof ZipRejectedError ? err.message : `zip could not be read (${(err as Error).message})` });
      }
    } else {
      queue.push(f);
    }
  }
  for (const f of queue) {
    const fileName = cleanFileName(f.name);
    try {
      const sha256 = createHash('sha256').update(f.bytes).digest('hex');
      const existing = (await existingHashes(db, projectId, [sha256]))[sha256];
      const known = existing ? await getImage(db, existing) : null;
      if (known) {
        result.images.push({ id: known.id, fileName, width: known.width, height: known.height, duplicateOf: known.id });
        continue;
      }
      const processed = await processUpload(f.bytes);
      const [original, web, thumb] = await Promise.all([store.put(processed.original, processed.ext), store.put(processed.web, 'jpg'), store.put(processed.thumb, 'webp')]);
      try {
        const row = await insertImage(db, { projectId, fileName, mimeType: processed.mimeType, width: processed.width, height: processed.height, original, web, thumb });
        result.images.push({ id: row.id, fileName, width: processed.width, height: processed.height, ...(row.duplicateOf ? { duplicateOf: row.duplicateOf } : {}) });
      } catch (err) {
        await deleteUnreferencedBlobs(db, store, [original.key, web.key, thumb.key]);
        throw err;
      }
    } catch (err) {
      if (err instanceof ImageInputError) result.errors.push({ fileName, message: err.message });
      else throw err;
    }
  }
  return result;
}
