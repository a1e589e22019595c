/**
 * DES and triple DES (FIPS 46-3, SP 800-67) in ECB and CBC, on whole blocks.
 * Keys: 8 bytes single DES, 16 bytes two-key 3DES (K1 K2 K1), 24 bytes three-key.
 */
import { checkBlocks, runCipher } from "./_cipher.ts";

export const DES_BLOCK = 8;
const ZERO_IV = new Uint8Array(DES_BLOCK);

function tdesKey(key: Uint8Array): Uint8Array {
  if (key.length === 24) return key;
  if (key.length === 16) {
    const k = new Uint8Array(24);
    k.set(key);
    k.set(key.subarray(0, 8), 16);
    return k;
  }
  throw new RangeError(`3DES key must be 16 or 24 bytes, got ${key.length}`);
}

function desKey(key: Uint8Array): Uint8Array {
  if (key.length !== 8) throw new RangeError(`DES key must be 8 bytes, got ${key.length}`);
  return key;
}

function ivOf(iv: Uint8Array | undefined): Uint8Array {
  if (iv === undefined) return ZERO_IV;
  if (iv.length !== DES_BLOCK) throw new RangeError(`DES IV must be 8 bytes, got ${iv.length}`);
  return iv;
}

/** Single DES ECB encryption. */
export function desEcbEncrypt(key: Uint8Array, data: Uint8Array): Uint8Array {
  checkBlocks("DES", data, DES_BLOCK);
  return runCipher("des-ecb", desKey(key), null, data, true);
}

/** Single DES ECB decryption. */
export function desEcbDecrypt(key: Uint8Array, data: Uint8Array): Uint8Array {
  checkBlocks("DES", data, DES_BLOCK);
  return runCipher("des-ecb", desKey(key), null, data, false);
}

/** Single DES CBC encryption (IV zero unless given). */
export function desCbcEncrypt(key: Uint8Array, data: Uint8Array, iv?: Uint8Array): Uint8Array {
  checkBlocks("DES", data, DES_BLOCK);
  return runCipher("des-cbc", desKey(key), ivOf(iv), data, true);
}

/** 3DES ECB encryption. */
export function tdesEcbEncrypt(key: Uint8Array, data: Uint8Array): Uint8Array {
  checkBlocks("3DES", data, DES_BLOCK);
  return runCipher("des-ede3", tdesKey(key), null, data, true);
}

/** 3DES ECB decryption. */
export function tdesEcbDecrypt(key: Uint8Array, data: Uint8Array): Uint8Array {
  checkBlocks("3DES", data, DES_BLOCK);
  return runCipher("des-ede3", tdesKey(key), null, data, false);
}

/** 3DES CBC encryption (IV zero unless given). */
export function tdesCbcEncrypt(key: Uint8Array, data: Uint8Array, iv?: Uint8Array): Uint8Array {
  checkBlocks("3DES", data, DES_BLOCK);
  return runCipher("des-ede3-cbc", tdesKey(key), ivOf(iv), data, true);
}

/** 3DES CBC decryption (IV zero unless given). */
export function tdesCbcDecrypt(key: Uint8Array, data: Uint8Array, iv?: Uint8Array): Uint8Array {
  checkBlocks("3DES", data, DES_BLOCK);
  return runCipher("des-ede3-cbc", tdesKey(key), ivOf(iv), data, false);
}
