/**
 * javacard.security.KeyPair (JC API 3.0.5): ALG_RSA, ALG_RSA_CRT and
 * ALG_EC_FP. The two keys are kept in two cells appended to the KeyPair
 * object's fields, so that the card's memory keeps them and the heap's
 * reachability sees them. genKeyPair keeps a preset RSA public exponent
 * (65537 otherwise) and preset EC domain parameters (a default curve of the
 * key's length otherwise, crypto/curves.ts).
 */
import { generatePrimeSync } from "node:crypto";
import { toBig, toBytes, byteLength, bitLength } from "../crypto/bigint.ts";
import { DEFAULT_CURVES } from "../crypto/curves.ts";
import { encodePoint, multiply, randomScalar, type Curve } from "../crypto/ec.ts";
import { generateRsa } from "../crypto/rsa.ts";
import { JObject, type Value } from "../model.ts";
import type { Vm } from "../vm.ts";
import { buildAsymKey } from "./asym-keys.ts";
import { asymState, curveOf, domainComplete, DOMAIN, type AsymKeyState } from "./key-parts.ts";
import { CRYPTO_REASON, noSuchAlgorithm } from "./crypto-basic.ts";
import type { NativeTable } from "./native.ts";

const CRYPTO = "javacard.security.CryptoException";

/** KeyPair.ALG_* → KeyBuilder types of its public and private key. */
const PAIR_TYPES: Readonly<Record<number, [number, number]>> = {
  1: [4, 5], // ALG_RSA: TYPE_RSA_PUBLIC, TYPE_RSA_PRIVATE
  2: [4, 6], // ALG_RSA_CRT: TYPE_RSA_PUBLIC, TYPE_RSA_CRT_PRIVATE
  5: [11, 12], // ALG_EC_FP: TYPE_EC_FP_PUBLIC, TYPE_EC_FP_PRIVATE
};

function keysOf(vm: Vm, self: Value): [JObject, JObject] {
  const f = (self as JObject).fields;
  const pub = f[f.length - 2];
  const priv = f[f.length - 1];
  if (!(pub instanceof JObject) || !(priv instanceof JObject)) return vm.throwJava(CRYPTO, CRYPTO_REASON.ILLEGAL_VALUE);
  return [pub, priv];
}

function attach(vm: Vm, self: Value, pub: JObject, priv: JObject): void {
  (self as JObject).fields.push(pub, priv);
  vm.heap.changed(self as JObject);
}

function primeOf(bits: number): bigint {
  return generatePrimeSync(bits, { bigint: true }) as bigint;
}

function generateRsaPair(vm: Vm, pub: JObject, priv: JObject, ps: AsymKeyState, qs: AsymKeyState): void {
  const e = ps.parts.exponent ? toBig(ps.parts.exponent) : 65537n;
  if ((e & 1n) === 0n || e < 3n) vm.throwJava(CRYPTO, CRYPTO_REASON.ILLEGAL_VALUE);
  const k = generateRsa(ps.bits, e, primeOf);
  const len = ps.bits / 8;
  const half = Math.ceil(ps.bits / 16);
  ps.parts = { modulus: toBytes(k.n, len), exponent: toBytes(e, byteLength(e)) };
  qs.parts =
    qs.form === "rsa-crt"
      ? { p: toBytes(k.p, half), q: toBytes(k.q, half), dp: toBytes(k.dp, half), dq: toBytes(k.dq, half), pq: toBytes(k.qinv, half) }
      : { modulus: toBytes(k.n, len), exponent: toBytes(k.d, byteLength(k.d)) };
  vm.heap.changed(pub);
  vm.heap.changed(priv);
}

function domainFor(vm: Vm, ps: AsymKeyState, qs: AsymKeyState): { curve: Curve; parts: Record<string, Uint8Array>; k: number } {
  const from = domainComplete(ps) ? ps : domainComplete(qs) ? qs : undefined;
  if (from) {
    const curve = curveOf(from);
    if (!curve) return vm.throwJava(CRYPTO, CRYPTO_REASON.ILLEGAL_VALUE);
    return { curve, parts: Object.fromEntries(DOMAIN.map((p) => [p, from.parts[p]!])), k: from.k ?? 1 };
  }
  const c = DEFAULT_CURVES[ps.bits];
  if (!c) return vm.throwJava(CRYPTO, CRYPTO_REASON.ILLEGAL_VALUE);
  const f = Math.ceil(bitLength(c.p) / 8);
  const parts = { field: toBytes(c.p, f), a: toBytes(c.a, f), b: toBytes(c.b, f), g: encodePoint(c, { x: c.gx, y: c.gy }), r: toBytes(c.n, byteLength(c.n)) };
  return { curve: c, parts, k: Number(c.h) };
}

function generateEcPair(vm: Vm, pub: JObject, priv: JObject, ps: AsymKeyState, qs: AsymKeyState): void {
  const { curve, parts, k } = domainFor(vm, ps, qs);
  const d = randomScalar(curve);
  const w = multiply(curve, d, { x: curve.gx, y: curve.gy });
  if (!w) return vm.throwJava(CRYPTO, CRYPTO_REASON.ILLEGAL_VALUE);
  ps.parts = { ...parts, w: encodePoint(curve, w) };
  qs.parts = { ...parts, s: toBytes(d, Math.ceil(bitLength(curve.n) / 8)) };
  ps.k = k;
  qs.k = k;
  vm.heap.changed(pub);
  vm.heap.changed(priv);
}

export const KEY_PAIR: Record<string, NativeTable> = {
  "javacard.security.KeyPair": {
    "<init>(BS)V": (vm, [self, alg, bits]) => {
      const types = PAIR_TYPES[alg as number];
      if (!types) return noSuchAlgorithm(vm);
      const pub = buildAsymKey(vm, types[0], bits as number)!;
      const priv = buildAsymKey(vm, types[1], bits as number)!;
      attach(vm, self, pub, priv);
    },
    "<init>(Ljavacard/security/PublicKey;Ljavacard/security/PrivateKey;)V": (vm, [self, pub, priv]) => {
      const ps = asymState(vm, pub);
      const qs = asymState(vm, priv);
      if (!ps || !qs || !ps.form.endsWith("public") || ps.family !== qs.family || ps.bits !== qs.bits) return vm.throwJava(CRYPTO, CRYPTO_REASON.ILLEGAL_VALUE);
      attach(vm, self, pub as JObject, priv as JObject);
    },
    "genKeyPair()V": (vm, [self]) => {
      const [pub, priv] = keysOf(vm, self);
      const ps = asymState(vm, pub)!;
      const qs = asymState(vm, priv)!;
      if (ps.family === "RSA") generateRsaPair(vm, pub, priv, ps, qs);
      else generateEcPair(vm, pub, priv, ps, qs);
    },
    "getPublic()Ljavacard/security/PublicKey;": (vm, [self]) => keysOf(vm, self)[0],
    "getPrivate()Ljavacard/security/PrivateKey;": (vm, [self]) => keysOf(vm, self)[1],
  },
};
