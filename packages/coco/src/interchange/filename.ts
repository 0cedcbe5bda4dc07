// Matching an image named in an annotation file to an uploaded image. Annotation tools rarely keep
// the name the user uploaded: Label Studio stores `/data/upload/<project>/<8 hex>-<name>` (URL
// encoded), local-storage tasks `/data/local-files/?d=<path>`, COCO files from Windows tools carry
// `C:\...` paths, and macOS hands over NFD-decomposed accents. Both sides go through the same key.

/** Label Studio prefixes each uploaded file with 8 hex digits and a dash to keep names unique. */
const UPLOAD_PREFIX = /^[0-9a-f]{8}-(?=.)/i;
const URL_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

function decode(s: string): string {
  if (!/%[0-9a-f]{2}/i.test(s)) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    // A literal '%' in a real file name ("100%.jpg") is not an escape.
    return s;
  }
}

/** The path part of a URL or Label Studio path, with the query's `d=` (local files) taking precedence. */
function pathOf(name: string): string {
  if (!URL_SCHEME.test(name) && !name.startsWith('/data/')) return name;
  const noFragment = name.split('#')[0]!;
  const q = noFragment.indexOf('?');
  if (q < 0) return noFragment;
  for (const pair of noFragment.slice(q + 1).split('&')) {
    const eq = pair.indexOf('=');
    if (eq > 0 && pair.slice(0, eq) === 'd') return pair.slice(eq + 1).replace(/\+/g, ' ');
  }
  return noFragment.slice(0, q);
}

/**
 * The file name a user would recognise: last path segment (either separator), URL-decoded, Label
 * Studio's upload prefix removed. Case and Unicode form are kept; use for display and export.
 */
export function baseFileName(name: string): string {
  const path = decode(pathOf(name.trim()));
  const segments = path.split(/[\\/]/).filter((s) => s.length > 0);
  const base = segments[segments.length - 1] ?? '';
  return base.replace(UPLOAD_PREFIX, '');
}

/** Key under which an annotation file's image name and an uploaded file's name are matched. */
export function matchFileName(name: string): string {
  return baseFileName(name).normalize('NFC').toLowerCase();
}
