/**
 * ISO/IEC 9797-1 padding method 2 (also ISO/IEC 7816-4): append 80, then 00
 * up to the block size. Always adds at least one byte (GP 2.3.1 section B.4,
 * amendment D section 6.2.6).
 */
import { FormatError } from "../errors.ts";

/** Pad `data` with 80 00.. to a multiple of `blockSize`. */
export function pad80(data: Uint8Array, blockSize: number): Uint8Array {
  const total = (Math.floor(data.length / blockSize) + 1) * blockSize;
  const out = new Uint8Array(total);
  out.set(data);
  out[data.length] = 0x80;
  return out;
}

/** Remove 80 00.. padding; a FormatError when the padding is not there. */
export function unpad80(data: Uint8Array): Uint8Array {
  let i = data.length - 1;
  while (i >= 0 && data[i] === 0) i--;
  if (i < 0 || data[i] !== 0x80) {
    throw new FormatError("Bad ISO 9797-1 method 2 padding: no 80 marker before the trailing zeros");
  }
  return data.slice(0, i);
}
