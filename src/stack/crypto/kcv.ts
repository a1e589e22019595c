/**
 * Key check values: the only form in which key material may be shown
 * (GP 2.3.1 section 11.8.2.3; amendment D section 7.2.2 for AES).
 */
import { toHex } from "../bytes.ts";
import { aesEcbEncrypt } from "./aes.ts";
import { tdesEcbEncrypt } from "./des.ts";

export type KeyType = "3DES" | "AES";

/** KCV of a 3DES key: first 3 bytes of 3DES-ECB(key, 00 x 8). */
function kcvDes3(key: Uint8Array): Uint8Array {
  return tdesEcbEncrypt(key, new Uint8Array(8)).slice(0, 3);
}

/** KCV of an AES key: first 3 bytes of AES-ECB(key, 01 x 16). */
function kcvAes(key: Uint8Array): Uint8Array {
  return aesEcbEncrypt(key, new Uint8Array(16).fill(1)).slice(0, 3);
}

/** KCV of a key of `type`. */
export function kcv(key: Uint8Array, type: KeyType): Uint8Array {
  return type === "AES" ? kcvAes(key) : kcvDes3(key);
}

/** KCV as six uppercase hex digits, for display. */
export function kcvHex(key: Uint8Array, type: KeyType): string {
  return toHex(kcv(key, type));
}
