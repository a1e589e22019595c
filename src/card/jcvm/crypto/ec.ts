/**
 * Elliptic curves over a prime field (y² = x³ + ax + b mod p), as IEEE
 * P1363 and ANSI X9.62 define them and JC API 3.0.5 ECKey names the
 * parameters (Field p, A, B, G, R = order n, K = cofactor): point encoding,
 * scalar multiplication in Jacobian coordinates, ECDSA (X9.62 §7.3/§7.4,
 * DER signatures) and the ECDH secret value (P1363 ECSVDP-DH/-DHC).
 */
import { randomBytes } from "node:crypto";
import { bitLength, mod, modInv, modSqrt, toBig, toBytes } from "./bigint.ts";

export interface Curve {
  p: bigint;
  a: bigint;
  b: bigint;
  gx: bigint;
  gy: bigint;
  n: bigint;
  h: bigint;
}

export interface Point {
  x: bigint;
  y: bigint;
}

/** Bytes of a field element. */
export function fieldBytes(c: Curve): number {
  return Math.ceil(bitLength(c.p) / 8);
}

export function onCurve(c: Curve, q: Point): boolean {
  if (q.x < 0n || q.x >= c.p || q.y < 0n || q.y >= c.p) return false;
  return mod(q.y * q.y - (q.x * q.x * q.x + c.a * q.x + c.b), c.p) === 0n;
}

/** X9.62 §4.3.6: 04|X|Y (uncompressed) or 02/03|X (compressed); undefined when malformed or not on the curve. */
export function decodePoint(c: Curve, bytes: Uint8Array): Point | undefined {
  const len = fieldBytes(c);
  if (bytes.length === 1 + 2 * len && bytes[0] === 0x04) {
    const q = { x: toBig(bytes.subarray(1, 1 + len)), y: toBig(bytes.subarray(1 + len)) };
    return onCurve(c, q) ? q : undefined;
  }
  if (bytes.length === 1 + len && (bytes[0] === 0x02 || bytes[0] === 0x03)) {
    const x = toBig(bytes.subarray(1));
    if (x >= c.p) return undefined;
    const y = modSqrt(x * x * x + c.a * x + c.b, c.p);
    if (y === undefined) return undefined;
    const odd = (y & 1n) === 1n;
    return { x, y: odd === (bytes[0] === 0x03) ? y : mod(-y, c.p) };
  }
  return undefined;
}

/** 04|X|Y. */
export function encodePoint(c: Curve, q: Point): Uint8Array {
  const len = fieldBytes(c);
  const out = new Uint8Array(1 + 2 * len);
  out[0] = 0x04;
  out.set(toBytes(q.x, len), 1);
  out.set(toBytes(q.y, len), 1 + len);
  return out;
}

type Jacobian = [bigint, bigint, bigint];

function double(c: Curve, [x, y, z]: Jacobian): Jacobian {
  if (y === 0n || z === 0n) return [1n, 1n, 0n];
  const p = c.p;
  const yy = (y * y) % p;
  const s = (4n * x * yy) % p;
  const z2 = (z * z) % p;
  const m = mod(3n * x * x + c.a * z2 * z2, p);
  const x3 = mod(m * m - 2n * s, p);
  const y3 = mod(m * (s - x3) - 8n * yy * yy, p);
  return [x3, y3, (2n * y * z) % p];
}

function add(c: Curve, a: Jacobian, b: Jacobian): Jacobian {
  if (a[2] === 0n) return b;
  if (b[2] === 0n) return a;
  const p = c.p;
  const z1z1 = (a[2] * a[2]) % p;
  const z2z2 = (b[2] * b[2]) % p;
  const u1 = (a[0] * z2z2) % p;
  const u2 = (b[0] * z1z1) % p;
  const s1 = (a[1] * z2z2 * b[2]) % p;
  const s2 = (b[1] * z1z1 * a[2]) % p;
  if (u1 === u2) return s1 === s2 ? double(c, a) : [1n, 1n, 0n];
  const h = mod(u2 - u1, p);
  const r = mod(s2 - s1, p);
  const hh = (h * h) % p;
  const hhh = (hh * h) % p;
  const x3 = mod(r * r - hhh - 2n * u1 * hh, p);
  const y3 = mod(r * (u1 * hh - x3) - s1 * hhh, p);
  return [x3, y3, (h * a[2] * b[2]) % p];
}

/** k·Q, or undefined for the point at infinity. */
export function multiply(c: Curve, k: bigint, q: Point): Point | undefined {
  let r: Jacobian = [1n, 1n, 0n];
  const base: Jacobian = [q.x, q.y, 1n];
  for (let i = bitLength(k) - 1; i >= 0; i--) {
    r = double(c, r);
    if ((k >> BigInt(i)) & 1n) r = add(c, r, base);
  }
  return affine(c, r);
}

/** u1·G + u2·Q (ECDSA verification), or undefined for infinity. */
function twoMultiply(c: Curve, u1: bigint, u2: bigint, q: Point): Point | undefined {
  const a = multiply(c, u1, { x: c.gx, y: c.gy });
  const b = multiply(c, u2, q);
  if (!a) return b;
  if (!b) return a;
  return affine(c, add(c, [a.x, a.y, 1n], [b.x, b.y, 1n]));
}

function affine(c: Curve, [x, y, z]: Jacobian): Point | undefined {
  if (z === 0n) return undefined;
  const zi = modInv(z, c.p);
  const zi2 = (zi * zi) % c.p;
  return { x: (x * zi2) % c.p, y: (y * zi2 * zi) % c.p };
}

/** A scalar in [1, n-1] from the OS's CSPRNG. */
export function randomScalar(c: Curve): bigint {
  const len = Math.ceil(bitLength(c.n) / 8) + 8;
  // 64 extra bits make the reduction's bias negligible (FIPS 186-4 B.4.1).
  return mod(toBig(new Uint8Array(randomBytes(len))), c.n - 1n) + 1n;
}

/** X9.62 §7.3.1: the hash as an integer, its leftmost bits cut to the order's length. */
function hashInteger(c: Curve, hash: Uint8Array): bigint {
  const e = toBig(hash);
  const excess = hash.length * 8 - bitLength(c.n);
  return excess > 0 ? e >> BigInt(excess) : e;
}

/** ECDSA signature (r, s) of `hash` with private scalar `d`. */
export function ecdsaSign(c: Curve, d: bigint, hash: Uint8Array): [bigint, bigint] {
  const e = hashInteger(c, hash);
  for (;;) {
    const k = randomScalar(c);
    const kg = multiply(c, k, { x: c.gx, y: c.gy });
    if (!kg) continue;
    const r = kg.x % c.n;
    if (r === 0n) continue;
    const s = mod(modInv(k, c.n) * (e + r * d), c.n);
    if (s !== 0n) return [r, s];
  }
}

export function ecdsaVerify(c: Curve, q: Point, hash: Uint8Array, r: bigint, s: bigint): boolean {
  if (r < 1n || r >= c.n || s < 1n || s >= c.n) return false;
  const w = modInv(s, c.n);
  const e = hashInteger(c, hash);
  const x = twoMultiply(c, mod(e * w, c.n), mod(r * w, c.n), q);
  return x !== undefined && x.x % c.n === r;
}

/** P1363 ECSVDP-DH (cofactor false) or ECSVDP-DHC (true): the shared point, undefined when it is infinity. */
export function sharedPoint(c: Curve, d: bigint, q: Point, cofactor: boolean): Point | undefined {
  if (!cofactor) return multiply(c, d, q);
  // Compatibility mode (P1363 §7.2.2): t = h⁻¹·s mod n, then (h·t)·W, equal to DH for W in the subgroup.
  const t = mod(modInv(c.h, c.n) * d, c.n);
  return multiply(c, c.h * t, q);
}
