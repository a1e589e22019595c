/**
 * The one place that calls node:crypto block ciphers: raw blocks, no padding.
 * Callers pad (ISO 9797-1 method 2) themselves, because every GlobalPlatform
 * use of these ciphers says how.
 */
import { createCipheriv, createDecipheriv } from "node:crypto";

/** Run `algorithm` over whole blocks of `data` without padding. */
export function runCipher(
  algorithm: string,
  key: Uint8Array,
  iv: Uint8Array | null,
  data: Uint8Array,
  encrypt: boolean,
): Uint8Array {
  const c = encrypt ? createCipheriv(algorithm, key, iv) : createDecipheriv(algorithm, key, iv);
  c.setAutoPadding(false);
  const head = c.update(data);
  const tail = c.final();
  const out = new Uint8Array(head.length + tail.length);
  out.set(head);
  out.set(tail, head.length);
  return out;
}

/** Throw a RangeError unless `data` is whole blocks of `size` bytes. */
export function checkBlocks(what: string, data: Uint8Array, size: number): void {
  if (data.length % size !== 0) {
    throw new RangeError(`${what}: data of ${data.length} bytes is not a multiple of the ${size}-byte block`);
  }
}
