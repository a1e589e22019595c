/**
 * Hex out: the one way bytes and numbers become hex text (uppercase, no
 * separators), for messages, logs, JSON and the CLI. Hex in is fromHex in
 * bytes.ts. This file imports nothing, so every module (errors.ts too) can
 * use it.
 */

const HEX = "0123456789ABCDEF";

/** Uppercase hex of `bytes`, no separators. */
export function toHex(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    out += HEX[b >> 4]! + HEX[b & 15]!;
  }
  return out;
}

/** A number as uppercase hex of at least `digits` digits: hexNumber(0x6a, 2) = "6A", hexNumber(0x9000, 4) = "9000". */
export function hexNumber(value: number, digits = 2): string {
  return value.toString(16).toUpperCase().padStart(digits, "0");
}
