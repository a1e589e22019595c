/**
 * The SCP03 key derivation function: NIST SP 800-108 KDF in counter mode with
 * AES-CMAC as PRF, laid out as GP amendment D section 6.2.2 says:
 *
 *   label 00 x 11 | constant | 00 | L (2 bytes, bits) | i (1 byte, from 01) | context
 */
import { concat, u16 } from "../bytes.ts";
import { aesCmac } from "./cmac.ts";

const LABEL = new Uint8Array(11);

/** Derive `bits` bits (a multiple of 8) from `key` with derivation `constant` and `context`. */
export function scp03Kdf(key: Uint8Array, constant: number, context: Uint8Array, bits: number): Uint8Array {
  if (bits <= 0 || bits % 8 !== 0 || bits > 0xffff) throw new RangeError(`KDF output of ${bits} bits`);
  const bytes = bits / 8;
  const out = new Uint8Array(Math.ceil(bytes / 16) * 16);
  for (let i = 1; (i - 1) * 16 < bytes; i++) {
    out.set(aesCmac(key, concat(LABEL, constant, 0x00, u16(bits), i, context)), (i - 1) * 16);
  }
  return out.slice(0, bytes);
}
