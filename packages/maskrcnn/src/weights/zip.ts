import { inflateSync } from 'fflate';
import { needBytes, WeightsFormatError } from './errors';

/**
 * Minimal zip reader driven by the central directory. torch.save stores entries uncompressed and
 * 64-byte aligned; deflate and zip64 are handled for archives re-packed by other tools.
 */
export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

export function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

export class ZipArchive {
  readonly entries = new Map<string, ZipEntry>();
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const eocd = this.findEocd();
    let count = this.view.getUint16(eocd + 10, true);
    let cdOffset = this.view.getUint32(eocd + 16, true);
    if (count === 0xffff || cdOffset === 0xffffffff) ({ count, cdOffset } = this.readZip64Eocd(eocd));
    let p = cdOffset;
    for (let i = 0; i < count; i++) {
      needBytes(bytes.length, p, 46, `zip central directory entry ${i}`);
      if (this.view.getUint32(p, true) !== CENTRAL) {
        throw new WeightsFormatError(`zip: bad central directory signature at byte ${p}`);
      }
      const nameLen = this.view.getUint16(p + 28, true);
      const extraLen = this.view.getUint16(p + 30, true);
      const commentLen = this.view.getUint16(p + 32, true);
      needBytes(bytes.length, p + 46, nameLen + extraLen, `zip central directory entry ${i}`);
      const entry: ZipEntry = {
        name: new TextDecoder().decode(bytes.subarray(p + 46, p + 46 + nameLen)),
        method: this.view.getUint16(p + 10, true),
        compressedSize: this.view.getUint32(p + 20, true),
        size: this.view.getUint32(p + 24, true),
        localHeaderOffset: this.view.getUint32(p + 42, true),
      };
      this.applyZip64Extra(entry, p + 46 + nameLen, extraLen);
      this.entries.set(entry.name, entry);
      p += 46 + nameLen + extraLen + commentLen;
    }
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  read(name: string): Uint8Array {
    const e = this.entries.get(name);
    if (!e) throw new WeightsFormatError(`zip: no entry named '${name}'`);
    const h = e.localHeaderOffset;
    needBytes(this.bytes.length, h, 30, `zip local header of '${name}'`);
    if (this.view.getUint32(h, true) !== LOCAL) throw new WeightsFormatError(`zip: bad local header for '${name}' at byte ${h}`);
    // the local header's own name/extra lengths may differ from the central copy (torch pads alignment here)
    const start = h + 30 + this.view.getUint16(h + 26, true) + this.view.getUint16(h + 28, true);
    needBytes(this.bytes.length, start, e.compressedSize, `zip entry '${name}'`);
    const raw = this.bytes.subarray(start, start + e.compressedSize);
    if (e.method === 0) return raw;
    if (e.method === 8) {
      try {
        return inflateSync(raw, { out: new Uint8Array(e.size) });
      } catch (err) {
        throw new WeightsFormatError(`zip: cannot inflate '${name}': ${(err as Error).message}`);
      }
    }
    throw new WeightsFormatError(`zip: entry '${name}' uses unsupported compression method ${e.method}`);
  }

  private findEocd(): number {
    const min = Math.max(0, this.bytes.length - 22 - 0xffff);
    for (let p = this.bytes.length - 22; p >= min; p--) {
      if (this.view.getUint32(p, true) === EOCD) return p;
    }
    throw new WeightsFormatError('zip: end of central directory not found (file truncated or not a zip archive)');
  }

  private readZip64Eocd(eocd: number): { count: number; cdOffset: number } {
    const loc = eocd - 20;
    if (loc < 0 || this.view.getUint32(loc, true) !== ZIP64_LOCATOR) {
      throw new WeightsFormatError('zip: zip64 end of central directory locator missing');
    }
    const rec = Number(this.view.getBigUint64(loc + 8, true));
    needBytes(this.bytes.length, rec, 56, 'zip64 end of central directory');
    if (this.view.getUint32(rec, true) !== ZIP64_EOCD) throw new WeightsFormatError(`zip: bad zip64 record at byte ${rec}`);
    return { count: Number(this.view.getBigUint64(rec + 32, true)), cdOffset: Number(this.view.getBigUint64(rec + 48, true)) };
  }

  /** Zip64 extra field (id 1) carries, in order, only the 32-bit fields that were saturated. */
  private applyZip64Extra(e: ZipEntry, start: number, length: number): void {
    let p = start;
    while (p + 4 <= start + length) {
      const id = this.view.getUint16(p, true);
      const size = this.view.getUint16(p + 2, true);
      if (id === 1) {
        let q = p + 4;
        const next = (): number => {
          needBytes(start + length, q, 8, `zip64 extra field of '${e.name}'`);
          const v = Number(this.view.getBigUint64(q, true));
          q += 8;
          return v;
        };
        if (e.size === 0xffffffff) e.size = next();
        if (e.compressedSize === 0xffffffff) e.compressedSize = next();
        if (e.localHeaderOffset === 0xffffffff) e.localHeaderOffset = next();
      }
      p += 4 + size;
    }
  }
}
