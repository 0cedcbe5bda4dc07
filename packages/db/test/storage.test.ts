import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobNotFoundError } from '../src/storage/blob-store';
import { LocalBlobStore } from '../src/storage/local-blob-store';

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else out.push(p);
  }
  return out;
}

describe('LocalBlobStore', () => {
  let root: string;
  let store: LocalBlobStore;
  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'segmenta-blobs-'));
    store = new LocalBlobStore(root);
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('addresses content by sha256 and stores identical bytes once', async () => {
    const bytes = Buffer.from('segmenta');
    const a = await store.put(bytes, 'bin');
    const b = await store.put(Buffer.from('segmenta'), '.BIN');
    expect(a.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(a.key).toBe(`sha256/${a.sha256.slice(0, 2)}/${a.sha256}.bin`);
    expect(b.key).toBe(a.key);
    expect((await store.get(a.key)).toString()).toBe('segmenta');
    expect(await store.size(a.key)).toBe(8);
    expect((await walk(root)).length).toBe(1);
  });

  it('leaves no temp files behind, even under concurrent writes of the same bytes', async () => {
    const bytes = Buffer.alloc(1 << 20, 7);
    const refs = await Promise.all(Array.from({ length: 8 }, () => store.put(bytes, 'raw')));
    expect(new Set(refs.map((r) => r.key)).size).toBe(1);
    expect((await walk(root)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect((await store.get(refs[0]!.key)).equals(bytes)).toBe(true);
  });

  it('reports missing blobs and deletes idempotently', async () => {
    const ref = await store.put(Buffer.from('gone soon'), 'txt');
    await store.delete(ref.key);
    await store.delete(ref.key);
    expect(await store.exists(ref.key)).toBe(false);
    await expect(store.get(ref.key)).rejects.toBeInstanceOf(BlobNotFoundError);
  });

  it('refuses keys that are not content addresses (no path traversal)', async () => {
    await expect(store.get('../../etc/passwd')).rejects.toThrow(/invalid blob key/);
    await expect(store.get('sha256/aa/../../x.txt')).rejects.toThrow(/invalid blob key/);
  });
});
