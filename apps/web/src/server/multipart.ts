import 'server-only';
import busboy from 'busboy';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AppError } from '@segmenta/contracts';

/** How many bytes the file parts of one field may hold together, and the setting that says so. */
export interface FieldLimit {
  maxBytes: number;
  /** The environment variable that sets `maxBytes`, named in the 413 so the operator knows what to raise. */
  setting: string;
}

export interface MultipartSpec {
  /** File fields that are kept; file parts of any other field are read and dropped. */
  fields: Record<string, FieldLimit>;
  /** At most this many file parts in all. */
  maxFiles?: number;
}

export interface StoredPart {
  field: string;
  fileName: string;
  mimeType: string;
  /** Where the part's bytes are, inside a temp dir removed when `withMultipart`'s callback returns. */
  path: string;
  size: number;
}

export interface MultipartUpload {
  files: StoredPart[];
  /** Text (non-file) parts: at most 100, each at most 64 KiB. */
  texts: { field: string; value: string }[];
}

/** The stored file parts read back as { name, bytes } (a Buffer is a Uint8Array: no second copy). */
export function readParts(parts: readonly StoredPart[]): Promise<{ name: string; bytes: Uint8Array }[]> {
  return Promise.all(parts.map(async (p) => ({ name: p.fileName, bytes: await readFile(p.path) })));
}

// Boundaries, part headers and small text fields on top of the file limits.
const OVERHEAD_BYTES = 1024 * 1024;
const TEXT_FIELD_BYTES = 64 * 1024;
const MAX_TEXT_FIELDS = 100;

const mib = (n: number) => `${(n / 1024 / 1024).toFixed(n % (1024 * 1024) === 0 ? 0 : 1)} MiB`;

function partTooLarge(field: string, parts: number, limit: FieldLimit): AppError {
  return new AppError(
    'payload_too_large',
    `The "${field}" ${parts > 1 ? 'parts are together' : 'part is'} larger than ${limit.maxBytes} bytes (${mib(limit.maxBytes)}), the limit set by ${limit.setting}; nothing was stored`,
    [{ path: field, message: `larger than ${limit.maxBytes} bytes (${limit.setting})` }],
  );
}

/** `size`: "is 123 bytes (Content-Length)" or "is larger than ...". */
function bodyTooLarge(size: string, maxBody: number, spec: MultipartSpec, outcome: string): AppError {
  const parts = Object.entries(spec.fields).map(([f, l]) => `"${f}" up to ${l.maxBytes} bytes (${l.setting})`);
  return new AppError('payload_too_large', `Body ${size}; this route takes at most ${maxBody}: ${parts.join(', ')} plus ${OVERHEAD_BYTES} for the form itself; ${outcome}`);
}

const unreadable = (err: unknown) => new AppError('bad_request', `The multipart body could not be read: ${(err as Error).message}`);

/**
 * Streams a multipart/form-data body to a temp dir, never holding more than a chunk of it in memory,
 * then calls `use` with the stored parts. Each field's files are capped (413 naming the part, the limit
 * and its setting) and reading stops at the first part over its limit; a declared Content-Length
 * over the sum of the limits is refused before anything is read. The temp dir is removed when `use`
 * settles, on every error and when the client goes away.
 */
export async function withMultipart<T>(req: Request, spec: MultipartSpec, use: (upload: MultipartUpload) => Promise<T>): Promise<T> {
  const maxBody = Object.values(spec.fields).reduce((a, l) => a + l.maxBytes, OVERHEAD_BYTES);
  const declared = Number(req.headers.get('content-length') ?? NaN);
  if (declared > maxBody) throw bodyTooLarge(`is ${declared} bytes (Content-Length)`, maxBody, spec, 'nothing was read');
  let bb: busboy.Busboy;
  try {
    // defParamCharset: browsers send file names as UTF-8; busboy would read them as latin1 ("Ã¼" for "ü")
    bb = busboy({ headers: Object.fromEntries(req.headers), defParamCharset: 'utf8', limits: { fieldSize: TEXT_FIELD_BYTES, fields: MAX_TEXT_FIELDS, files: spec.maxFiles ?? Infinity } });
  } catch (err) {
    throw unreadable(err); // no or bad boundary
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'segmenta-multipart-'));
  try {
    return await use(await receive(req, bb, dir, spec, maxBody));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// After a refusal, how long the connection stays open, unread, before it is closed.
const LINGER_MS = 2_000;

/**
 * Closing a connection while the client is still sending makes the kernel answer its data with a
 * reset, which can destroy our 413 before the client has read it. So nothing more is read (the
 * client's sending stalls on TCP flow control, its reading does not) and the stream is cancelled,
 * closing the connection, only once the answer has had LINGER_MS to arrive.
 */
function closeLater(reader: ReadableStreamDefaultReader<Uint8Array>): void {
  setTimeout(() => void reader.cancel().catch(() => undefined), LINGER_MS).unref();
}

async function receive(req: Request, bb: busboy.Busboy, dir: string, spec: MultipartSpec, maxBody: number): Promise<MultipartUpload> {
  const upload: MultipartUpload = { files: [], texts: [] };
  const used = new Map<string, number>();
  const writes: Promise<void>[] = [];
  const open = new Set<WriteStream>();
  let failure: unknown = null;
  let wake: () => void = () => undefined;
  const fail = (err: unknown) => {
    failure ??= err;
    wake();
  };

  bb.on('file', (field, stream, info) => {
    const limit = spec.fields[field];
    if (failure || !limit) {
      stream.resume(); // not ours: read past it
      return;
    }
    const part: StoredPart = { field, fileName: info.filename ?? 'unnamed', mimeType: info.mimeType, path: path.join(dir, String(upload.files.length)), size: 0 };
    upload.files.push(part);
    const out = createWriteStream(part.path);
    open.add(out);
    writes.push(
      new Promise<void>((resolve) => {
        out.on('close', () => {
          open.delete(out);
          resolve();
        });
        out.on('error', (err) => fail(err));
      }),
    );
    stream.on('data', (chunk: Buffer) => {
      if (failure) return;
      part.size += chunk.length;
      const total = (used.get(field) ?? 0) + chunk.length;
      used.set(field, total);
      if (total > limit.maxBytes) {
        fail(partTooLarge(field, upload.files.filter((f) => f.field === field).length, limit));
        stream.resume();
        out.destroy();
        return;
      }
      // Backpressure: busboy stops parsing until the disk has caught up.
      if (!out.write(chunk)) {
        stream.pause();
        out.once('drain', () => stream.resume());
      }
    });
    stream.on('end', () => out.end());
    stream.on('error', (err) => {
      fail(unreadable(err));
      out.destroy();
    });
  });
  bb.on('field', (field, value, info) => {
    if (info.valueTruncated) fail(new AppError('payload_too_large', `The "${field}" text part is larger than ${TEXT_FIELD_BYTES} bytes; send it as a file`, [{ path: field, message: 'too large for a text part' }]));
    else upload.texts.push({ field, value });
  });
  bb.on('fieldsLimit', () => fail(new AppError('payload_too_large', `More than ${MAX_TEXT_FIELDS} text parts`)));
  bb.on('filesLimit', () => fail(new AppError('payload_too_large', `More than ${spec.maxFiles} file parts; send the images as a zip`)));
  const parsed = new Promise<void>((resolve) => {
    bb.on('close', resolve);
    bb.on('error', (err) => {
      fail(unreadable(err));
      resolve();
    });
  });

  const reader = req.body?.getReader();
  let total = 0;
  try {
    if (!reader) throw new AppError('bad_request', 'The multipart body could not be read: the request has no body');
    while (!failure) {
      const { done, value } = await reader.read().catch((err: unknown) => {
        throw new AppError('bad_request', `The request body broke off after ${total} bytes (${(err as Error).message}); nothing was stored`);
      });
      if (done) break;
      total += value.byteLength;
      if (total > maxBody) throw bodyTooLarge(`is larger than ${maxBody} bytes`, maxBody, spec, 'nothing was stored');
      // `fail` wakes this wait too: a refused or broken form may never drain.
      if (!bb.write(value) && !failure) await new Promise<void>((resolve) => ((wake = resolve), bb.once('drain', resolve)));
    }
    if (failure) throw failure;
    bb.end();
    await parsed;
    if (failure) throw failure; // a part cut short never ends: its file is closed below
    await Promise.all(writes);
    if (failure) throw failure;
    return upload;
  } catch (err) {
    // Stop reading at once; the connection closes a little later (see closeLater).
    if (reader) closeLater(reader);
    bb.destroy();
    for (const out of open) out.destroy();
    await Promise.all(writes);
    throw err;
  }
}
