/**
 * Where image files and checkpoints live. Keys are content addresses (sha256 of the bytes) with a
 * type suffix, so identical bytes are stored once and a key never changes meaning. The local
 * implementation writes under DATA_DIR; an S3-compatible store can implement the same interface.
 */
export interface BlobStore {
  /** Stores bytes and returns their key; storing the same bytes again is a no-op returning the same key. */
  put(bytes: Uint8Array, ext: string): Promise<BlobRef>;
  get(key: string): Promise<Buffer>;
  exists(key: string): Promise<boolean>;
  /** Removes a blob; removing a missing blob is not an error. */
  delete(key: string): Promise<void>;
  size(key: string): Promise<number>;
}

export interface BlobRef {
  key: string;
  sha256: string;
  size: number;
}

export class BlobNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`blob "${key}" is not in storage`);
    this.name = 'BlobNotFoundError';
  }
}

const KEY_RE = /^sha256\/[0-9a-f]{2}\/[0-9a-f]{64}\.[a-z0-9]{1,12}$/;

/** Keys come from our own rows, but they still reach the file system: refuse anything else outright. */
export function assertValidKey(key: string): void {
  if (!KEY_RE.test(key)) throw new Error(`invalid blob key "${key}"`);
}

export function keyFor(sha256: string, ext: string): string {
  const clean = ext.replace(/^\./, '').toLowerCase();
  const key = `sha256/${sha256.slice(0, 2)}/${sha256}.${clean}`;
  assertValidKey(key);
  return key;
}
