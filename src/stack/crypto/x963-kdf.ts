/**
 * The ANSI X9.63 key derivation function (BSI TR-03111 section 4.3.3, SEC 1
 * section 3.6.1) with SHA-256, as SCP11 uses it (GP amendment F 6.2.2.4):
 *
 *   K = SHA-256(Z | counter (4 bytes, from 00000001) | SharedInfo) | ...
 */
import { createHash } from "node:crypto";
import { concat, uintBytes } from "../bytes.ts";

const SHA256_LENGTH = 32;

/** `length` bytes of keying data from the shared secret `z` and `sharedInfo`. */
export function x963Kdf(z: Uint8Array, sharedInfo: Uint8Array, length: number): Uint8Array {
  if (!Number.isInteger(length) || length <= 0 || length > 255 * SHA256_LENGTH) {
    throw new RangeError(`X9.63 KDF output of ${length} bytes`);
  }
  const out = new Uint8Array(Math.ceil(length / SHA256_LENGTH) * SHA256_LENGTH);
  for (let counter = 1; (counter - 1) * SHA256_LENGTH < length; counter++) {
    const digest = createHash("sha256").update(concat(z, uintBytes(counter, 4), sharedInfo)).digest();
    out.set(digest, (counter - 1) * SHA256_LENGTH);
  }
  return out.slice(0, length);
}
