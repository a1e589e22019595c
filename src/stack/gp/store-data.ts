/**
 * STORE DATA (GP 2.3.1 section 11.11): `80 E2 P1 P2 Lc data`, P2 the block
 * number 00-FF. Personalisation data goes to the security domain itself, or
 * to an application after INSTALL [for personalization].
 *
 *   P1 b8      1 = last block
 *   P1 b7-b6   00 no encryption information, 01 (20) application-dependent
 *              encryption, 11 (60) encrypted with the security domain's DEK
 *   P1 b5-b4   00 no structure information, 01 (08) DGI format,
 *              10 (10) BER-TLV format
 */
import { CommandApdu } from "../apdu.ts";
import { CLA, INS } from "./constants.ts";
import { hexNumber } from "../bytes.ts";

/** P1 bits of STORE DATA (table 11-80). */
export const STORE_DATA_P1 = {
  LAST_BLOCK: 0x80,
  ENCRYPTION_MASK: 0x60,
  APPLICATION_DEPENDENT_ENCRYPTION: 0x20,
  ENCRYPTED_DEK: 0x60,
  FORMAT_MASK: 0x18,
  DGI: 0x08,
  BER_TLV: 0x10,
} as const;

export type StoreDataFormat = "none" | "dgi" | "ber-tlv";
export type StoreDataEncryption = "none" | "application" | "dek";

export interface StoreDataOptions {
  format?: StoreDataFormat;
  encryption?: StoreDataEncryption;
  /** Bytes per block (default 255, the short APDU's data field less what the channel adds is the caller's). */
  blockSize?: number;
}

const FORMAT_BITS: Readonly<Record<StoreDataFormat, number>> = { none: 0, dgi: STORE_DATA_P1.DGI, "ber-tlv": STORE_DATA_P1.BER_TLV };
const ENCRYPTION_BITS: Readonly<Record<StoreDataEncryption, number>> = {
  none: 0,
  application: STORE_DATA_P1.APPLICATION_DEPENDENT_ENCRYPTION,
  dek: STORE_DATA_P1.ENCRYPTED_DEK,
};

/** P1 for one block. */
export function storeDataP1(last: boolean, format: StoreDataFormat = "none", encryption: StoreDataEncryption = "none"): number {
  return (last ? STORE_DATA_P1.LAST_BLOCK : 0) | FORMAT_BITS[format] | ENCRYPTION_BITS[encryption];
}

/** What P1 says about a block. */
export function parseStoreDataP1(p1: number): { last: boolean; format: StoreDataFormat | "reserved"; encryption: StoreDataEncryption | "reserved" } {
  const f = p1 & STORE_DATA_P1.FORMAT_MASK;
  const e = p1 & STORE_DATA_P1.ENCRYPTION_MASK;
  return {
    last: (p1 & STORE_DATA_P1.LAST_BLOCK) !== 0,
    format: f === 0 ? "none" : f === STORE_DATA_P1.DGI ? "dgi" : f === STORE_DATA_P1.BER_TLV ? "ber-tlv" : "reserved",
    encryption: e === 0 ? "none" : e === STORE_DATA_P1.APPLICATION_DEPENDENT_ENCRYPTION ? "application" : e === STORE_DATA_P1.ENCRYPTED_DEK ? "dek" : "reserved",
  };
}

/** One STORE DATA command. */
export function storeData(block: number, data: Uint8Array, p1: number): CommandApdu {
  if (!Number.isInteger(block) || block < 0 || block > 0xff) throw new RangeError(`STORE DATA block number ${block} is not 0..255`);
  return new CommandApdu({ cla: CLA.GP, ins: INS.STORE_DATA, p1, p2: block, data, ne: 256 });
}

/**
 * The STORE DATA commands for `data`, cut at `blockSize` bytes; callers that
 * keep whole DGIs or TLVs per block pass them as separate `parts`.
 */
export function storeDataCommands(parts: readonly Uint8Array[], options: StoreDataOptions = {}): CommandApdu[] {
  const size = options.blockSize ?? 255;
  if (!Number.isInteger(size) || size < 1 || size > 255) throw new RangeError(`STORE DATA block size ${size} is not 1..255`);
  const blocks: Uint8Array[] = [];
  for (const part of parts) {
    for (let o = 0; o < part.length; o += size) blocks.push(part.subarray(o, Math.min(part.length, o + size)));
  }
  if (blocks.length === 0) throw new RangeError("STORE DATA needs at least one byte of data");
  if (blocks.length > 256) throw new RangeError(`STORE DATA of ${blocks.length} blocks exceeds the 256 that P2 numbers`);
  return blocks.map((b, i) => storeData(i, b, storeDataP1(i === blocks.length - 1, options.format, options.encryption)));
}

/** Split DGI-formatted data (`tag(2) | length (1, or FF + 2) | value`, EMV CPS) into its DGIs; throws RangeError when malformed. */
export function splitDgis(data: Uint8Array): { tag: number; value: Uint8Array; bytes: Uint8Array }[] {
  const out: { tag: number; value: Uint8Array; bytes: Uint8Array }[] = [];
  let o = 0;
  while (o < data.length) {
    if (o + 3 > data.length) throw new RangeError(`DGI at offset ${o} is truncated`);
    const tag = (data[o]! << 8) | data[o + 1]!;
    let len = data[o + 2]!;
    let head = 3;
    if (len === 0xff) {
      if (o + 5 > data.length) throw new RangeError(`DGI ${hexNumber(tag, 4)} length is truncated`);
      len = (data[o + 3]! << 8) | data[o + 4]!;
      head = 5;
    }
    if (o + head + len > data.length) throw new RangeError(`DGI ${hexNumber(tag, 4)} declares ${len} bytes, ${data.length - o - head} remain`);
    out.push({ tag, value: data.subarray(o + head, o + head + len), bytes: data.subarray(o, o + head + len) });
    o += head + len;
  }
  return out;
}
