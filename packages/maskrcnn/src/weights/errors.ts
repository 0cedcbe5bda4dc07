/** Raised for any file the weight readers cannot or will not load: truncated, foreign, or unsafe. */
export class WeightsFormatError extends Error {
  override readonly name = 'WeightsFormatError';
  constructor(message: string) {
    super(message);
  }
}

/** Throws a WeightsFormatError unless `[offset, offset + length)` lies inside a buffer of `size` bytes. */
export function needBytes(size: number, offset: number, length: number, what: string): void {
  if (offset < 0 || length < 0 || offset + length > size) {
    throw new WeightsFormatError(
      `truncated file: ${what} needs bytes ${offset}..${offset + length} but only ${size} are present`,
    );
  }
}
