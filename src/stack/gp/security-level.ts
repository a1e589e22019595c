/**
 * The security level of a secure channel session, and how much room secure
 * messaging leaves in an APDU: the one place for both, used by the secure
 * channel protocols, the card's answers, LOAD block sizes and the web-card
 * link.
 *
 * The level is the P1 byte of EXTERNAL AUTHENTICATE (GP 2.3.1 E.5.2.1 table
 * E-9, amendment D 7.1.2.1 table 7-3):
 *
 *   b8 b7 b6 b5 b4 b3 b2 b1
 *          R-ENC R-MAC   C-DEC C-MAC
 *          (20)  (10)    (02)  (01)
 *
 * Secure messaging wraps a command's data (GP 2.3.1 E.4.3 and E.4.4,
 * amendment D 6.2.4 to 6.2.7): with C-DEC the data is padded with 80 00..
 * (at least one byte) to whole cipher blocks (8 bytes for 3DES, 16 for AES)
 * and encrypted; with C-MAC an 8-byte MAC follows. Answers likewise with
 * R-ENC and R-MAC.
 */
import { hexNumber } from "../bytes.ts";

/** The bits of the level byte. */
export const LEVEL_BIT = { C_MAC: 0x01, C_DEC: 0x02, R_MAC: 0x10, R_ENC: 0x20 } as const;

/**
 * The levels a terminal asks for, by name: clear = authenticated only (00);
 * mac = C-MAC (01); enc = C-DEC and C-MAC (03); rmac = enc and R-MAC (13);
 * renc = rmac and R-ENC (33, SCP03 only).
 */
export type SecurityLevel = "clear" | "mac" | "enc" | "rmac" | "renc";

/** The level byte of each named level. */
export const LEVEL_BYTE = { clear: 0x00, mac: 0x01, enc: 0x03, rmac: 0x13, renc: 0x33 } as const satisfies Record<SecurityLevel, number>;

/** Every named level, weakest first. */
export const SECURITY_LEVELS = Object.keys(LEVEL_BYTE) as readonly SecurityLevel[];

/** The MAC that C-MAC and R-MAC append: 8 bytes (S8 mode); SCP03 and SCP11 in S16 mode append 16 (amendment D 6.2.4, amendment F 6.2.3). */
const MAC_BYTES = 8;

/** The cipher block C-DEC and R-ENC pad to: 8 bytes for SCP02 (3DES), 16 for SCP03 (AES). */
export function cipherBlock(scp: 2 | 3): 8 | 16 {
  return scp === 2 ? 8 : 16;
}

function byteOf(level: SecurityLevel | number): number {
  return typeof level === "number" ? level : LEVEL_BYTE[level];
}

/** Bytes of a command's data once wrapped at `level`: padded to the cipher block under C-DEC, plus the MAC under C-MAC. */
export function wrappedLength(nc: number, level: SecurityLevel | number, block: 8 | 16 = 16, macBytes: 8 | 16 = MAC_BYTES): number {
  const bits = byteOf(level);
  const body = bits & LEVEL_BIT.C_DEC && nc > 0 ? (Math.floor(nc / block) + 1) * block : nc;
  return bits & LEVEL_BIT.C_MAC ? body + macBytes : body;
}

/** The largest plain length that still fits `limit` bytes once a MAC is added (when `mac`) and padding to `block` (when `cipher`). */
function room(limit: number, mac: boolean, cipher: boolean, block: 8 | 16, macBytes: 8 | 16): number {
  const afterMac = mac ? limit - macBytes : limit;
  return Math.max(0, cipher ? Math.floor(afterMac / block) * block - 1 : afterMac);
}

/**
 * The largest plain command data that still fits `limit` bytes after secure
 * messaging at `level` (limit 255: 247 with C-MAC, 239 with C-DEC). The
 * block defaults to AES's 16, which also fits SCP02's 8.
 */
export function commandRoom(limit: number, level: SecurityLevel | number, block: 8 | 16 = 16, macBytes: 8 | 16 = MAC_BYTES): number {
  const bits = byteOf(level);
  return room(limit, (bits & LEVEL_BIT.C_MAC) !== 0, (bits & LEVEL_BIT.C_DEC) !== 0, block, macBytes);
}

/** The largest plain answer data that still fits `limit` bytes after R-MAC and R-ENC at `level`. */
export function responseRoom(limit: number, level: SecurityLevel | number, block: 8 | 16 = 16, macBytes: 8 | 16 = MAC_BYTES): number {
  const bits = byteOf(level);
  return room(limit, (bits & LEVEL_BIT.R_MAC) !== 0, (bits & LEVEL_BIT.R_ENC) !== 0, block, macBytes);
}

/** A level byte in words: 03 "C-DEC and C-MAC" (GP 2.3.1 table 10-1), with R-MAC and R-ENC. */
export function describeLevel(level: number): string {
  const parts = [];
  if (level & LEVEL_BIT.C_DEC) parts.push("C-DEC");
  if (level & LEVEL_BIT.C_MAC) parts.push("C-MAC");
  if (level & LEVEL_BIT.R_ENC) parts.push("R-ENC");
  if (level & LEVEL_BIT.R_MAC) parts.push("R-MAC");
  const hex = hexNumber(level);
  return parts.length ? `${hex} (${parts.join(" and ")})` : `${hex} (none)`;
}
