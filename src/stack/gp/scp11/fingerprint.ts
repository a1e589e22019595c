/** Public keys are shown as fingerprints, never in full: SHA-256 of the point, first 8 bytes in hex. */
import { createHash } from "node:crypto";
import { toHex } from "../../bytes.ts";

/** "SHA256:1A2B3C4D5E6F7081" for a public point. */
export function fingerprint(point: Uint8Array): string {
  return `SHA256:${toHex(new Uint8Array(createHash("sha256").update(point).digest()).subarray(0, 8))}`;
}
