/**
 * BER-TLV as used by ISO 7816-4 and GlobalPlatform (Annex B / F):
 * tags of 1-3 bytes (low five bits 1F open a multi-byte tag, bit 8 of the
 * following bytes continues it), definite lengths in short form (00-7F) or
 * long form 81 xx / 82 xxxx / 83 xxxxxx. Bit 6 of the first tag byte marks a
 * constructed object, whose value is itself TLV.
 */
import { FormatError } from "./errors.ts";
import { concat, hexNumber } from "./bytes.ts";

export interface Tlv {
  /** The tag as a number: 0x4F, 0x9F70, 0xBF0C. */
  readonly tag: number;
  readonly value: Uint8Array;
}

/** Whether a tag marks a constructed object (bit 6 of its first byte). */
export function isConstructed(tag: number): boolean {
  let first = tag;
  while (first > 0xff) first = Math.floor(first / 256);
  return (first & 0x20) !== 0;
}

/** Encode a tag number in its minimal byte form. */
export function tagBytes(tag: number): Uint8Array {
  if (!Number.isInteger(tag) || tag < 0 || tag > 0xffffff) throw new RangeError(`Tag out of range: ${tag}`);
  if (tag <= 0xff) return Uint8Array.of(tag);
  if (tag <= 0xffff) return Uint8Array.of(tag >> 8, tag & 0xff);
  return Uint8Array.of(tag >> 16, (tag >> 8) & 0xff, tag & 0xff);
}

/** Encode a BER definite length. */
export function lengthBytes(n: number): Uint8Array {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`Bad length ${n}`);
  if (n < 0x80) return Uint8Array.of(n);
  if (n <= 0xff) return Uint8Array.of(0x81, n);
  if (n <= 0xffff) return Uint8Array.of(0x82, n >> 8, n & 0xff);
  if (n <= 0xffffff) return Uint8Array.of(0x83, n >> 16, (n >> 8) & 0xff, n & 0xff);
  throw new RangeError(`Length ${n} too large for BER-TLV`);
}

/** Encode one TLV; `value` may be bytes or a list of child TLV encodings. */
export function encodeTlv(tag: number, ...value: Uint8Array[]): Uint8Array {
  const v = value.length === 1 ? value[0]! : concat(...value);
  return concat(tagBytes(tag), lengthBytes(v.length), v);
}

/** Result of reading one header: where the value starts and how long it is. */
export interface TlvHeader {
  tag: number;
  valueOffset: number;
  length: number;
}

/** Read a BER length at `offset`; returns [length, bytes used]. */
export function readLength(bytes: Uint8Array, offset: number): [number, number] {
  if (offset >= bytes.length) throw new FormatError(`TLV truncated: no length byte at offset ${offset}`, bytes);
  const first = bytes[offset]!;
  if (first < 0x80) return [first, 1];
  const count = first & 0x7f;
  if (count === 0) throw new FormatError(`TLV indefinite length (80) not supported at offset ${offset}`, bytes);
  if (count > 3) throw new FormatError(`TLV length of ${count} bytes not supported at offset ${offset}`, bytes);
  if (offset + 1 + count > bytes.length) {
    throw new FormatError(`TLV truncated: length field at offset ${offset} needs ${count} more bytes`, bytes);
  }
  let n = 0;
  for (let i = 1; i <= count; i++) n = n * 256 + bytes[offset + i]!;
  return [n, 1 + count];
}

/** Read one TLV header at `offset`, checking the value fits. */
export function readHeader(bytes: Uint8Array, offset: number): TlvHeader {
  if (offset >= bytes.length) throw new FormatError(`TLV truncated: no tag at offset ${offset}`, bytes);
  let o = offset;
  let tag = bytes[o++]!;
  if ((tag & 0x1f) === 0x1f) {
    let more = true;
    let count = 0;
    while (more) {
      if (o >= bytes.length) throw new FormatError(`TLV truncated inside multi-byte tag at offset ${offset}`, bytes);
      if (++count > 2) throw new FormatError(`TLV tag longer than 3 bytes at offset ${offset}`, bytes);
      const b = bytes[o++]!;
      tag = tag * 256 + b;
      more = (b & 0x80) !== 0;
    }
  }
  const [length, used] = readLength(bytes, o);
  o += used;
  if (o + length > bytes.length) {
    throw new FormatError(
      `TLV truncated: tag ${hexNumber(tag)} declares ${length} bytes, ${bytes.length - o} remain`,
      bytes,
    );
  }
  return { tag, valueOffset: o, length };
}

/** Parse a flat sequence of TLVs (not descending into constructed ones). */
export function parseTlvs(bytes: Uint8Array): Tlv[] {
  const out: Tlv[] = [];
  let o = 0;
  while (o < bytes.length) {
    // 00 and FF between objects are padding (ISO 7816-4 section 5.2.2.1).
    if (bytes[o] === 0x00 || bytes[o] === 0xff) {
      o++;
      continue;
    }
    const h = readHeader(bytes, o);
    out.push({ tag: h.tag, value: bytes.subarray(h.valueOffset, h.valueOffset + h.length) });
    o = h.valueOffset + h.length;
  }
  return out;
}

/** A parsed TLV tree node. */
export interface TlvNode extends Tlv {
  readonly children: TlvNode[] | undefined;
}

/** Parse into a tree, descending into constructed objects. */
export function parseTlvTree(bytes: Uint8Array): TlvNode[] {
  return parseTlvs(bytes).map((t) => ({
    tag: t.tag,
    value: t.value,
    children: isConstructed(t.tag) ? parseTlvTree(t.value) : undefined,
  }));
}

/** First TLV with `tag` among `tlvs`, or undefined. */
export function findTag(tlvs: readonly Tlv[], tag: number): Tlv | undefined {
  return tlvs.find((t) => t.tag === tag);
}

/** Search a tree depth-first for the first node with `tag`. */
export function findDeep(nodes: readonly TlvNode[], tag: number): TlvNode | undefined {
  for (const n of nodes) {
    if (n.tag === tag) return n;
    if (n.children) {
      const hit = findDeep(n.children, tag);
      if (hit) return hit;
    }
  }
  return undefined;
}
