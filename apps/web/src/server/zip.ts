import 'server-only';
import { unzipSync } from 'fflate';

export const ZIP_LIMITS = {
  maxEntries: 10_000,
  maxEntryBytes: 50 * 1024 * 1024,
  maxTotalBytes: 2 * 1024 * 1024 * 1024,
  /** Real photo zips barely compress; a huge ratio is a zip bomb. */
  maxRatio: 200,
};

export interface ZipEntry {
  name: string;
  bytes: Uint8Array;
}

export class ZipRejectedError extends Error {}

/** The entry's path must stay inside the archive: no absolute paths, drive letters or `..` segments. */
export function unsafeZipPath(name: string): boolean {
  const n = name.replace(/\\/g, '/');
  return n.startsWith('/') || /^[a-zA-Z]:/.test(n) || n.split('/').some((seg) => seg === '..');
}

/**
 * Lists a zip's image entries, refusing the whole archive on a path escape or a bomb. Limits are
 * checked against the sizes the archive declares before anything is inflated; fflate then inflates
 * into buffers of exactly that size, so a lying header cannot make it allocate more.
 */
export function readZip(bytes: Uint8Array): { entries: ZipEntry[]; skipped: string[] } {
  const skipped: string[] = [];
  let total = 0;
  let count = 0;
  let problem: string | null = null;
  const files = unzipSync(bytes, {
    filter(file) {
      if (problem) return false;
      if (file.name.endsWith('/')) return false;
      if (unsafeZipPath(file.name)) {
        problem = `entry "${file.name}" points outside the archive`;
        return false;
      }
      const base = file.name.split('/').pop() ?? '';
      if (file.name.startsWith('__MACOSX/') || base.startsWith('.')) {
        skipped.push(file.name);
        return false;
      }
      count++;
      total += file.originalSize;
      if (count > ZIP_LIMITS.maxEntries) problem = `more than ${ZIP_LIMITS.maxEntries} entries`;
      else if (file.originalSize > ZIP_LIMITS.maxEntryBytes) problem = `entry "${file.name}" inflates to ${file.originalSize} bytes (limit ${ZIP_LIMITS.maxEntryBytes})`;
      else if (total > ZIP_LIMITS.maxTotalBytes) problem = `the archive inflates to more than ${ZIP_LIMITS.maxTotalBytes} bytes`;
      else if (file.size > 0 && file.originalSize / file.size > ZIP_LIMITS.maxRatio) problem = `entry "${file.name}" compresses ${Math.round(file.originalSize / file.size)}:1, which looks like a zip bomb`;
      return !problem;
    },
  });
  if (problem) throw new ZipRejectedError(`zip refused: ${problem}`);
  return { entries: Object.entries(files).map(([name, data]) => ({ name, bytes: data })), skipped };
}

export function looksLikeZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 0x03 || bytes[2] === 0x05) && (bytes[3] === 0x04 || bytes[3] === 0x06);
}
