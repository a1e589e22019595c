/**
 * Bounds-checked little-endian reads over an executable's bytes: every
 * offset a header gives is checked against the file before it is followed,
 * so a truncated or hostile file fails with a message instead of reading
 * past its end or looping.
 */
export class BinaryFormatError extends Error {}

export class Bytes {
  private readonly view: DataView;

  constructor(readonly bytes: Uint8Array, readonly what: string) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get length(): number {
    return this.bytes.length;
  }

  /** Throw unless [offset, offset + size) lies inside the file. */
  check(offset: number, size: number, field: string): void {
    if (!Number.isSafeInteger(offset) || offset < 0 || size < 0 || offset + size > this.bytes.length) {
      throw new BinaryFormatError(`${this.what}: ${field} at ${offset} (+${size}) lies outside the file (${this.bytes.length} bytes)`);
    }
  }

  u8(offset: number, field = "byte"): number {
    this.check(offset, 1, field);
    return this.view.getUint8(offset);
  }

  u16(offset: number, field = "u16"): number {
    this.check(offset, 2, field);
    return this.view.getUint16(offset, true);
  }

  u32(offset: number, field = "u32"): number {
    this.check(offset, 4, field);
    return this.view.getUint32(offset, true);
  }

  /** A 64-bit field as a JavaScript number; throws past 2^53 (no file offset or count is that large). */
  u64(offset: number, field = "u64"): number {
    this.check(offset, 8, field);
    const value = this.view.getBigUint64(offset, true);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new BinaryFormatError(`${this.what}: ${field} at ${offset} is too large (${value})`);
    return Number(value);
  }

  big64(offset: number, field = "u64"): bigint {
    this.check(offset, 8, field);
    return this.view.getBigUint64(offset, true);
  }

  /** A NUL-terminated ASCII string of at most `max` bytes (and never past `end`). */
  cstring(offset: number, field: string, max = 1024, end = this.bytes.length): string {
    this.check(offset, 1, field);
    const stop = Math.min(end, this.bytes.length, offset + max);
    let i = offset;
    while (i < stop && this.bytes[i] !== 0) i++;
    if (i === stop) throw new BinaryFormatError(`${this.what}: ${field} at ${offset} is not NUL-terminated within ${max} bytes`);
    return new TextDecoder("latin1").decode(this.bytes.subarray(offset, i));
  }

  /** A fixed-size name field padded with NULs (section and segment names). */
  fixedName(offset: number, size: number, field: string): string {
    this.check(offset, size, field);
    const raw = this.bytes.subarray(offset, offset + size);
    const nul = raw.indexOf(0);
    return new TextDecoder("latin1").decode(nul < 0 ? raw : raw.subarray(0, nul));
  }
}

/** One imported function: the library it is bound to and its name. */
export interface Import {
  readonly library: string;
  readonly name: string;
}

/** What an executable asks the system's loader for before its first instruction runs. */
export interface ImportTable {
  /** Libraries the loader opens, in load order (PE: delay-loaded ones after the others). */
  readonly libraries: readonly string[];
  readonly imports: readonly Import[];
  /** File ranges of named sections, for looking at what a section carries. */
  readonly sections: ReadonlyMap<string, { offset: number; size: number }>;
}

/** Upper bounds on what a header may claim before it is believed. */
export const LIMITS = {
  loadCommands: 4096,
  sections: 1024,
  libraries: 4096,
  importsPerLibrary: 1 << 16,
  symbols: 1 << 22,
} as const;

export function bounded(count: number, limit: number, what: string, file: string): number {
  if (count > limit) throw new BinaryFormatError(`${file}: ${count} ${what} is more than the ${limit} this reader accepts`);
  return count;
}
