/**
 * ECDSA signatures as Java Card gives and takes them (JC API 3.0.5
 * Signature ALG_ECDSA_*; ANSI X9.62 ECDSA-Sig-Value): the DER encoding of
 * SEQUENCE { r INTEGER, s INTEGER }, read strictly (minimal lengths and
 * integers, nothing after).
 */
import { byteLength, toBig, toBytes } from "./bigint.ts";

function derInteger(v: bigint): Uint8Array {
  const b = toBytes(v, byteLength(v));
  const body = b[0]! & 0x80 ? new Uint8Array([0, ...b]) : b;
  return new Uint8Array([0x02, body.length, ...body]);
}

function derLength(n: number): number[] {
  return n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
}

/** SEQUENCE { INTEGER r, INTEGER s }. */
export function ecdsaDer(r: bigint, s: bigint): Uint8Array {
  const body = new Uint8Array([...derInteger(r), ...derInteger(s)]);
  return new Uint8Array([0x30, ...derLength(body.length), ...body]);
}

/** r and s of a DER signature, strictly (one SEQUENCE, two positive minimal INTEGERs, nothing after). */
export function parseEcdsaDer(sig: Uint8Array): [bigint, bigint] | undefined {
  let at = 0;
  const length = (): number | undefined => {
    const first = sig[at++];
    if (first === undefined) return undefined;
    if (first < 0x80) return first;
    // Long forms only where the short one cannot say it (DER, X.690 §10.1).
    if (first === 0x81) {
      const n = sig[at++];
      return n !== undefined && n >= 0x80 ? n : undefined;
    }
    if (first === 0x82 && at + 1 < sig.length) {
      const n = (sig[at]! << 8) | sig[at + 1]!;
      at += 2;
      return n >= 0x100 ? n : undefined;
    }
    return undefined;
  };
  if (sig[at++] !== 0x30) return undefined;
  const total = length();
  if (total === undefined || at + total !== sig.length) return undefined;
  const ints: bigint[] = [];
  for (let i = 0; i < 2; i++) {
    if (sig[at++] !== 0x02) return undefined;
    const n = length();
    if (n === undefined || n === 0 || at + n > sig.length) return undefined;
    const v = sig.subarray(at, at + n);
    if (v[0]! & 0x80 || (n > 1 && v[0] === 0 && !(v[1]! & 0x80))) return undefined;
    ints.push(toBig(v));
    at += n;
  }
  return at === sig.length ? [ints[0]!, ints[1]!] : undefined;
}

/** The longest DER signature for an order of `orderBits` bits (each INTEGER may need a leading zero). */
export function maxEcdsaDerLength(orderBits: number): number {
  const n = Math.ceil(orderBits / 8) + 1;
  const body = 2 * (2 + n);
  return 1 + derLength(body).length + body;
}
