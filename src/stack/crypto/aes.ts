/**
 * AES (FIPS 197) in ECB and CBC with 128-, 192- and 256-bit keys, on whole blocks.
 */
import { checkBlocks, runCipher } from "./_cipher.ts";

export const AES_BLOCK = 16;
const ZERO_IV = new Uint8Array(AES_BLOCK);

function mode(key: Uint8Array, m: "ecb" | "cbc"): string {
  if (key.length !== 16 && key.length !== 24 && key.length !== 32) {
    throw new RangeError(`AES key must be 16, 24 or 32 bytes, got ${key.length}`);
  }
  return `aes-${key.length * 8}-${m}`;
}

function ivOf(iv: Uint8Array | undefined): Uint8Array {
  if (iv === undefined) return ZERO_IV;
  if (iv.length !== AES_BLOCK) throw new RangeError(`AES IV must be 16 bytes, got ${iv.length}`);
  return iv;
}

/** AES ECB encryption. */
export function aesEcbEncrypt(key: Uint8Array, data: Uint8Array): Uint8Array {
  checkBlocks("AES", data, AES_BLOCK);
  return runCipher(mode(key, "ecb"), key, null, data, true);
}

/** AES ECB decryption. */
export function aesEcbDecrypt(key: Uint8Array, data: Uint8Array): Uint8Array {
  checkBlocks("AES", data, AES_BLOCK);
  return runCipher(mode(key, "ecb"), key, null, data, false);
}

/** AES CBC encryption (IV zero unless given). */
export function aesCbcEncrypt(key: Uint8Array, data: Uint8Array, iv?: Uint8Array): Uint8Array {
  checkBlocks("AES", data, AES_BLOCK);
  return runCipher(mode(key, "cbc"), key, ivOf(iv), data, true);
}

/** AES CBC decryption (IV zero unless given). */
export function aesCbcDecrypt(key: Uint8Array, data: Uint8Array, iv?: Uint8Array): Uint8Array {
  checkBlocks("AES", data, AES_BLOCK);
  return runCipher(mode(key, "cbc"), key, ivOf(iv), data, false);
}
