/**
 * Byte helpers: hex at the edges, Uint8Array inside.
 * Everything here is pure; nothing allocates more than the result.
 */
import { FormatError } from "./errors.ts";

// Hex out lives in hex.ts, which imports nothing, so that errors.ts can use it too.
export { hexNumber, toHex } from "./hex.ts";

const SEPARATORS = /[\s:]/g;

/** Parse hex; spaces, tabs, newlines and colons are ignored. */
export function fromHex(text: string): Uint8Array {
  const problem = hexProblem(text);
  if (problem !== undefined) throw new FormatError(`Cannot decode hex: ${problem}`);
  const clean = text.replace(SEPARATORS, "");
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = (nibble(clean.charCodeAt(2 * i)) << 4) | nibble(clean.charCodeAt(2 * i + 1));
  return out;
}

/**
 * What is wrong with `text` as hex, in words a user can act on ("odd number
 * of hex digits (7)", "'G' at digit 3 is not a hex digit"), or undefined when
 * it is hex (separators ignored; empty is hex: zero bytes).
 */
export function hexProblem(text: string): string | undefined {
  const clean = text.replace(SEPARATORS, "");
  for (let i = 0; i < clean.length; i++) {
    if (nibble(clean.charCodeAt(i)) < 0) return `'${clean[i]}' at digit ${i + 1} is not a hex digit`;
  }
  if (clean.length % 2 !== 0) return `odd number of hex digits (${clean.length})`;
  return undefined;
}

function nibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48; // 0-9
  if (c >= 65 && c <= 70) return c - 55; // A-F
  if (c >= 97 && c <= 102) return c - 87; // a-f
  return -1;
}

/** True when `text` is non-empty hex (separators allowed). */
export function isHex(text: string): boolean {
  const clean = text.replace(SEPARATORS, "");
  return clean.length > 0 && clean.length % 2 === 0 && /^[0-9a-fA-F]+$/.test(clean);
}

/** Concatenate byte arrays (numbers are single bytes). */
export function concat(...parts: (Uint8Array | number)[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += typeof p === "number" ? 1 : p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    if (typeof p === "number") {
      out[o++] = p;
    } else {
      out.set(p, o);
      o += p.length;
    }
  }
  return out;
}

/** Byte-wise equality. */
export function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Constant-time equality, for cryptograms and MACs. */
export function equalConstantTime(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** Big-endian unsigned integer of `length` bytes (at most 6). */
export function readUint(bytes: Uint8Array, offset: number, length: number): number {
  if (length > 6) throw new RangeError(`readUint supports at most 6 bytes, got ${length}`);
  if (offset < 0 || offset + length > bytes.length) {
    throw new FormatError(`Cannot read ${length}-byte integer at offset ${offset}: only ${bytes.length} bytes`, bytes);
  }
  let v = 0;
  for (let i = 0; i < length; i++) v = v * 256 + bytes[offset + i]!;
  return v;
}

/** Big-endian encoding of `value` in `length` bytes. */
export function uintBytes(value: number, length: number): Uint8Array {
  if (!Number.isInteger(value) || value < 0 || value >= 2 ** (8 * length)) {
    throw new RangeError(`${value} does not fit in ${length} unsigned byte(s)`);
  }
  const out = new Uint8Array(length);
  for (let i = length - 1; i >= 0; i--) {
    out[i] = value & 0xff;
    value = Math.floor(value / 256);
  }
  return out;
}


/** Two-byte big-endian encoding. */
export function u16(value: number): Uint8Array {
  return uintBytes(value, 2);
}

/** XOR of two equal-length arrays into a new one. */
export function xor(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length !== b.length) throw new RangeError(`xor of ${a.length} and ${b.length} bytes`);
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

/** Copy of `bytes` (Uint8Array.slice, but named for intent). */
export function copy(bytes: Uint8Array): Uint8Array {
  return bytes.slice();
}
