/**
 * AES-CMAC (NIST SP 800-38B, RFC 4493), built on AES-ECB/CBC because
 * node:crypto has no CMAC. SCP03 uses it for MACs and its KDF (amendment D 6.2).
 */
import { AES_BLOCK, aesCbcEncrypt, aesEcbEncrypt } from "./aes.ts";

const RB = 0x87; // SP 800-38B 5.3: R_128 = 0^120 || 10000111

/** One subkey doubling step in GF(2^128). */
function double(block: Uint8Array): Uint8Array {
  const out = new Uint8Array(AES_BLOCK);
  for (let i = 0; i < AES_BLOCK; i++) {
    out[i] = ((block[i]! << 1) | (i + 1 < AES_BLOCK ? block[i + 1]! >> 7 : 0)) & 0xff;
  }
  if (block[0]! & 0x80) out[AES_BLOCK - 1]! ^= RB;
  return out;
}

/** The subkeys K1 and K2 of SP 800-38B section 6.1. */
function cmacSubkeys(key: Uint8Array): { k1: Uint8Array; k2: Uint8Array } {
  const l = aesEcbEncrypt(key, new Uint8Array(AES_BLOCK));
  const k1 = double(l);
  return { k1, k2: double(k1) };
}

/** The full 16-byte AES-CMAC of `data` under `key` (16, 24 or 32 bytes). */
export function aesCmac(key: Uint8Array, data: Uint8Array): Uint8Array {
  const { k1, k2 } = cmacSubkeys(key);
  const complete = data.length > 0 && data.length % AES_BLOCK === 0;
  const blocks = complete ? data.length / AES_BLOCK : Math.floor(data.length / AES_BLOCK) + 1;
  const buf = new Uint8Array(blocks * AES_BLOCK);
  buf.set(data);
  const last = (blocks - 1) * AES_BLOCK;
  if (!complete) buf[data.length] = 0x80;
  const sub = complete ? k1 : k2;
  for (let i = 0; i < AES_BLOCK; i++) buf[last + i]! ^= sub[i]!;
  // CBC with a zero IV over all blocks; the tag is the last ciphertext block.
  return aesCbcEncrypt(key, buf).slice(last, last + AES_BLOCK);
}
