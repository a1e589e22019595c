/**
 * A bounded ZIP reader for files users hand over (CAP files are JARs,
 * JCVM 3.0.5 section 6.1). Nothing in the archive is trusted: the central
 * directory is read first (PKWARE APPNOTE 6.3.10 sections 4.3.12 and 4.3.16)
 * with a limit on its entries; only the entries the caller wants are
 * inflated, each as a stream that stops as soon as a limit is passed, so a
 * ZIP bomb (one huge entry, nested archives, many entries, overlapping
 * entries) is never inflated in full. Declared sizes are checked first to
 * refuse early, and checked again against what the data really gives.
 */
import { Inflate } from "fflate";
import { FormatError } from "../errors.ts";
import { crc32 } from "./crc32.ts";

/** Limits of any ZIP read here; a CAP file from a Java Card converter is far below each. */
export interface ZipLimits {
  /** Bytes of the archive itself. */
  archiveBytes: number;
  /** Entries listed in the central directory (class files and export files included). */
  entries: number;
  /** Uncompressed bytes of one entry that is read. */
  entryBytes: number;
  /** Uncompressed bytes of all entries read from one archive, together. */
  totalBytes: number;
}

const MiB = 1024 * 1024;

/**
 * The limits (docs/robustness.md, "ZIP limits"). A CAP component holds at
 * most 65,538 bytes in CAP 2.1/2.2 (a u2 size), and a whole package loads in
 * at most 256 LOAD blocks (~63 KB); the extended CAP format of JC 3.1 allows
 * u4 sizes, which the limits leave room for.
 */
export const ZIP_LIMITS: Readonly<ZipLimits> = {
  archiveBytes: 16 * MiB,
  entries: 1024,
  entryBytes: 2 * MiB,
  totalBytes: 4 * MiB,
};

/** One central directory entry (APPNOTE section 4.3.12). */
export interface ZipEntry {
  readonly name: string;
  /** 0 stored, 8 deflated (the only methods read). */
  readonly method: number;
  readonly flags: number;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localOffset: number;
}

const SIG = { LOCAL: 0x04034b50, CENTRAL: 0x02014b50, END: 0x06054b50, END64_LOCATOR: 0x07064b50 } as const;
const END_SIZE = 22;
const CENTRAL_SIZE = 46;
const LOCAL_SIZE = 30;
/** Input given to the inflater per step: deflate expands at most ~1,032 times, so one step yields at most ~1 MiB. */
const STEP = 1024;

const u16 = (b: Uint8Array, o: number) => b[o]! | (b[o + 1]! << 8);
const u32 = (b: Uint8Array, o: number) => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
const decoder = new TextDecoder();

/** Sizes in messages: "2 MiB" for whole MiB, bytes otherwise. */
export function sizeText(n: number): string {
  return n % MiB === 0 ? `${n / MiB} MiB` : `${n.toLocaleString("en-US")} bytes`;
}

/** The central directory: every entry, after checking the archive's size and entry count. */
export function listZip(bytes: Uint8Array, limits: ZipLimits = ZIP_LIMITS): ZipEntry[] {
  if (bytes.length > limits.archiveBytes) {
    throw new FormatError(`the file is ${sizeText(bytes.length)}, over the ${sizeText(limits.archiveBytes)} limit for a CAP file`);
  }
  const end = findEnd(bytes);
  const count = u16(bytes, end + 10);
  const cdSize = u32(bytes, end + 12);
  const cdOffset = u32(bytes, end + 16);
  if (u16(bytes, end + 4) !== 0 || u16(bytes, end + 6) !== 0 || u16(bytes, end + 8) !== count) {
    throw new FormatError("the ZIP archive spans several disks, which a CAP file never does");
  }
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff || (end >= 20 && u32(bytes, end - 20) === SIG.END64_LOCATOR)) {
    throw new FormatError("the ZIP archive uses ZIP64, which a CAP file never needs");
  }
  if (count > limits.entries) {
    throw new FormatError(`the ZIP archive lists ${count.toLocaleString("en-US")} entries, over the limit of ${limits.entries.toLocaleString("en-US")} for a CAP file`);
  }
  if (cdOffset + cdSize > end) throw new FormatError("the ZIP archive is damaged (its central directory lies outside the file)");
  const entries: ZipEntry[] = [];
  let o = cdOffset;
  for (let i = 0; i < count; i++) {
    if (o + CENTRAL_SIZE > cdOffset + cdSize || u32(bytes, o) !== SIG.CENTRAL) {
      throw new FormatError(`the ZIP archive is damaged (central directory entry ${i + 1} of ${count} is missing or broken)`);
    }
    const nameLength = u16(bytes, o + 28);
    const next = o + CENTRAL_SIZE + nameLength + u16(bytes, o + 30) + u16(bytes, o + 32);
    if (next > cdOffset + cdSize) throw new FormatError(`the ZIP archive is damaged (central directory entry ${i + 1} runs past the directory)`);
    entries.push({
      name: decoder.decode(bytes.subarray(o + CENTRAL_SIZE, o + CENTRAL_SIZE + nameLength)),
      flags: u16(bytes, o + 8),
      method: u16(bytes, o + 10),
      crc32: u32(bytes, o + 16),
      compressedSize: u32(bytes, o + 20),
      size: u32(bytes, o + 24),
      localOffset: u32(bytes, o + 42),
    });
    o = next;
  }
  return entries;
}

/** The end of central directory record (APPNOTE 4.3.16), searched back over a comment of up to 65,535 bytes. */
function findEnd(bytes: Uint8Array): number {
  const last = bytes.length - END_SIZE;
  for (let o = last; o >= 0 && o >= last - 0xffff; o--) {
    if (u32(bytes, o) === SIG.END && o + END_SIZE + u16(bytes, o + 20) === bytes.length) return o;
  }
  throw new FormatError("the ZIP archive is damaged or cut short (no end of central directory record)");
}

/**
 * Inflate the entries `want` picks, within `limits`. Refuses duplicate
 * names among them, data that overlaps, encrypted entries, methods other
 * than stored and deflated, and any entry whose data does not give exactly
 * its declared size and CRC-32.
 */
export function readZipEntries(bytes: Uint8Array, want: (name: string) => boolean, limits: ZipLimits = ZIP_LIMITS): Map<string, Uint8Array> {
  const entries = listZip(bytes, limits).filter((e) => want(e.name));
  const names = new Set<string>();
  let declared = 0;
  for (const e of entries) {
    if (names.has(e.name)) throw new FormatError(`the ZIP archive holds two entries named ${e.name}`);
    names.add(e.name);
    if (e.flags & 0x0001) throw new FormatError(`entry ${e.name} is encrypted`);
    if (e.method !== 0 && e.method !== 8) throw new FormatError(`entry ${e.name} uses compression method ${e.method}; only stored (0) and deflated (8) are read`);
    if (e.size > limits.entryBytes) {
      throw new FormatError(`entry ${e.name} declares ${sizeText(e.size)} uncompressed, over the ${sizeText(limits.entryBytes)} limit for one entry`);
    }
    declared += e.size;
  }
  if (declared > limits.totalBytes) {
    throw new FormatError(`the entries to read declare ${sizeText(declared)} uncompressed, over the ${sizeText(limits.totalBytes)} limit for one CAP file`);
  }
  const ranges = entries.map((e) => ({ e, ...dataRange(bytes, e) })).sort((a, b) => a.start - b.start);
  for (let i = 1; i < ranges.length; i++) {
    if (ranges[i]!.start < ranges[i - 1]!.end) throw new FormatError(`entries ${ranges[i - 1]!.e.name} and ${ranges[i]!.e.name} share data (a forged ZIP)`);
  }
  const out = new Map<string, Uint8Array>();
  const budget = { left: limits.totalBytes, limit: limits.totalBytes };
  for (const { e, start, end } of ranges) out.set(e.name, inflateEntry(e, bytes.subarray(start, end), limits.entryBytes, budget));
  return out;
}

/** Where an entry's data lies, from its local header (APPNOTE 4.3.7), checked against the central directory. */
function dataRange(bytes: Uint8Array, e: ZipEntry): { start: number; end: number } {
  const o = e.localOffset;
  if (o + LOCAL_SIZE > bytes.length || u32(bytes, o) !== SIG.LOCAL) throw new FormatError(`the ZIP archive is damaged (no local header for entry ${e.name})`);
  const nameLength = u16(bytes, o + 26);
  const start = o + LOCAL_SIZE + nameLength + u16(bytes, o + 28);
  if (decoder.decode(bytes.subarray(o + LOCAL_SIZE, o + LOCAL_SIZE + nameLength)) !== e.name) {
    throw new FormatError(`the ZIP archive is damaged (the local header of entry ${e.name} names another file)`);
  }
  const end = start + e.compressedSize;
  if (end > bytes.length) throw new FormatError(`the ZIP archive is damaged (entry ${e.name} runs past the end of the file)`);
  return { start, end };
}

/** Inflate one entry as a stream, stopping at the first byte past a limit or past its declared size. */
function inflateEntry(e: ZipEntry, data: Uint8Array, entryLimit: number, budget: { left: number; limit: number }): Uint8Array {
  const parts: Uint8Array[] = [];
  let size = 0;
  let crc = 0;
  const take = (chunk: Uint8Array) => {
    size += chunk.length;
    if (size > entryLimit) throw new FormatError(`entry ${e.name} inflates past ${sizeText(entryLimit)}, the limit for one entry (a ZIP bomb, not a CAP file)`);
    if (size > budget.left) throw new FormatError(`the entries inflate past ${sizeText(budget.limit)}, the limit for one CAP file (a ZIP bomb, not a CAP file)`);
    if (size > e.size) {
      throw new FormatError(`entry ${e.name} inflates past its declared size of ${sizeText(e.size)}: a damaged or forged ZIP (limits: ${sizeText(entryLimit)} an entry, ${sizeText(budget.limit)} in all)`);
    }
    crc = crc32(chunk, crc);
    parts.push(chunk.slice());
  };
  if (e.method === 0) {
    take(data);
  } else {
    let ended = false;
    const inflater = new Inflate((chunk, final) => {
      take(chunk);
      ended = final;
    });
    try {
      for (let o = 0; o < data.length; o += STEP) inflater.push(data.subarray(o, o + STEP), o + STEP >= data.length);
      if (data.length === 0) inflater.push(data, true);
    } catch (error) {
      if (error instanceof FormatError) throw error;
      throw new FormatError(`entry ${e.name} is damaged (${(error as Error).message})`, undefined, { cause: error });
    }
    if (!ended) throw new FormatError(`entry ${e.name} is damaged (its deflate stream is cut short)`);
  }
  if (size !== e.size) throw new FormatError(`entry ${e.name} gives ${size} bytes but declares ${e.size} (a damaged ZIP)`);
  if (crc !== e.crc32) throw new FormatError(`entry ${e.name} fails its CRC-32 check (a damaged ZIP)`);
  budget.left -= size;
  const whole = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    whole.set(p, at);
    at += p.length;
  }
  return whole;
}
