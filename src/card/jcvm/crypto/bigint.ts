/**
 * Unsigned big-endian integers as BigInt, for the RSA and elliptic-curve
 * arithmetic of the card's javacard.security (node:crypto has no raw RSA
 * with a bare modulus and private exponent, and Bun's BoringSSL knows only
 * four named curves; a card takes any key and any prime-field curve).
 */

/** The unsigned big-endian integer of `bytes`. */
export function toBig(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

/** `v` as exactly `length` big-endian bytes (RangeError when it does not fit). */
export function toBytes(v: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = v;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  if (x !== 0n || v < 0n) throw new RangeError(`integer does not fit in ${length} bytes`);
  return out;
}

/** Bits of `v` (0 for 0). */
export function bitLength(v: bigint): number {
  return v === 0n ? 0 : v.toString(2).length;
}

/** Bytes needed for `v` (at least 1). */
export function byteLength(v: bigint): number {
  return Math.max(1, Math.ceil(bitLength(v) / 8));
}

/** `a mod m` in [0, m). */
export function mod(a: bigint, m: bigint): bigint {
  const r = a % m;
  return r < 0n ? r + m : r;
}

/** `base^exp mod m` by square-and-multiply. */
export function modPow(base: bigint, exp: bigint, m: bigint): bigint {
  if (m === 1n) return 0n;
  let result = 1n;
  let b = mod(base, m);
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return result;
}

/** The inverse of `a` modulo `m` (RangeError when there is none). */
export function modInv(a: bigint, m: bigint): bigint {
  let [oldR, r] = [mod(a, m), m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1n) throw new RangeError("no modular inverse");
  return mod(oldS, m);
}

/** A square root of `a` modulo the odd prime `p` (Tonelli-Shanks), or undefined when `a` is not a square. */
export function modSqrt(a: bigint, p: bigint): bigint | undefined {
  const n = mod(a, p);
  if (n === 0n) return 0n;
  if (modPow(n, (p - 1n) / 2n, p) !== 1n) return undefined;
  if (p % 4n === 3n) return modPow(n, (p + 1n) / 4n, p);
  let q = p - 1n;
  let s = 0n;
  while ((q & 1n) === 0n) {
    q >>= 1n;
    s++;
  }
  let z = 2n;
  while (modPow(z, (p - 1n) / 2n, p) !== p - 1n) z++;
  let m = s;
  let c = modPow(z, q, p);
  let t = modPow(n, q, p);
  let r = modPow(n, (q + 1n) / 2n, p);
  while (t !== 1n) {
    let i = 0n;
    let t2 = t;
    while (t2 !== 1n) {
      t2 = (t2 * t2) % p;
      i++;
    }
    const b = modPow(c, 1n << (m - i - 1n), p);
    m = i;
    c = (b * b) % p;
    t = (t * c) % p;
    r = (r * b) % p;
  }
  return r;
}
