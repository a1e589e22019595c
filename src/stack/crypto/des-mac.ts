/**
 * DES-based MACs of GlobalPlatform (GP 2.3.1 appendix B.1.2), both with
 * ISO/IEC 9797-1 padding method 2 applied here:
 * - retail MAC: ISO/IEC 9797-1 MAC algorithm 3 ("single DES plus final
 *   triple DES"), used by SCP02 for C-MAC and R-MAC;
 * - full 3DES MAC: ISO/IEC 9797-1 MAC algorithm 1 with 3DES, used by SCP02
 *   for the card and host cryptograms.
 */
import { DES_BLOCK, desCbcEncrypt, tdesCbcEncrypt } from "./des.ts";
import { pad80 } from "./padding.ts";

const ZERO_ICV = new Uint8Array(DES_BLOCK);

function checkKey(key: Uint8Array): void {
  if (key.length !== 16) throw new RangeError(`MAC key must be a 16-byte 3DES key, got ${key.length}`);
}

/** ISO 9797-1 MAC algorithm 3 over `data` padded with 80 00.. (key K1|K2, ICV zero unless given). */
export function retailMac(key: Uint8Array, data: Uint8Array, icv: Uint8Array = ZERO_ICV): Uint8Array {
  checkKey(key);
  const padded = pad80(data, DES_BLOCK);
  const head = padded.subarray(0, padded.length - DES_BLOCK);
  const last = padded.subarray(padded.length - DES_BLOCK);
  // Every block but the last under single DES with K1; the last under 3DES,
  // which is the output transformation (decrypt K2, encrypt K1) applied to the chain.
  const chain = head.length === 0 ? icv : desCbcEncrypt(key.subarray(0, 8), head, icv).subarray(head.length - DES_BLOCK);
  return tdesCbcEncrypt(key, last, chain.slice());
}

/** Full triple-DES CBC MAC over `data` padded with 80 00.. (ICV zero unless given). */
export function tdesMac(key: Uint8Array, data: Uint8Array, icv: Uint8Array = ZERO_ICV): Uint8Array {
  checkKey(key);
  const out = tdesCbcEncrypt(key, pad80(data, DES_BLOCK), icv);
  return out.slice(out.length - DES_BLOCK);
}
