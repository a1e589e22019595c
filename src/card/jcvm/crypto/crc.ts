/**
 * The CRCs of javacard.security.Checksum (JC API 3.0.5): ISO/IEC 3309
 * (ISO/IEC 13239 frame checking sequence) polynomials, processed most
 * significant bit first from the initial value init() gave (default 0),
 * the result complemented as the FCS is (ISO/IEC 13239 §4.2.5.2, §4.2.5.3).
 * The same reading as jcardsim's, the open simulator applets are tested on.
 */

/** x¹⁶ + x¹² + x⁵ + 1. */
const POLY16 = 0x1021;
/** x³² + x²⁶ + x²³ + x²² + x¹⁶ + x¹² + x¹¹ + x¹⁰ + x⁸ + x⁷ + x⁵ + x⁴ + x² + x + 1. */
const POLY32 = 0x04c11db7;

/** The running CRC-16 register after `data`. */
export function crc16Update(register: number, data: Uint8Array): number {
  let crc = register & 0xffff;
  for (const byte of data) {
    crc ^= byte << 8;
    for (let k = 0; k < 8; k++) crc = crc & 0x8000 ? ((crc << 1) ^ POLY16) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/** The running CRC-32 register after `data`. */
export function crc32Update(register: number, data: Uint8Array): number {
  let crc = register >>> 0;
  for (const byte of data) {
    crc = (crc ^ (byte << 24)) >>> 0;
    for (let k = 0; k < 8; k++) crc = crc & 0x80000000 ? ((crc << 1) ^ POLY32) >>> 0 : (crc << 1) >>> 0;
  }
  return crc;
}
