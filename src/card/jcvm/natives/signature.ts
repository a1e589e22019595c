/**
 * javacard.security.Signature (JC API 3.0.5) for the algorithms of
 * signature-algs.ts: MACs and HMAC with secret keys, RSA PKCS#1 v1.5
 * (EMSA-PKCS1-v1_5, RFC 8017 §8.2) and ECDSA (ANSI X9.62, the signature
 * DER-encoded as SEQUENCE { r INTEGER, s INTEGER }). init keeps a copy of
 * the key, the mode and the IV (the card's memory keeps them); data given
 * to update waits in RAM: a tear or reset brings the object back to the
 * state after init, as the API says. After sign or verify the object is as
 * right after init.
 */
import { createHash } from "node:crypto";
import { bitLength, toBig } from "../crypto/bigint.ts";
import { ecdsaDer, maxEcdsaDerLength, parseEcdsaDer } from "../crypto/ecdsa-der.ts";
import { decodePoint, ecdsaSign, ecdsaVerify } from "../crypto/ec.ts";
import { emsaPkcs1, modulusOf, rsaPrimitive } from "../crypto/rsa.ts";
import { JObject, TRANSIENT, type Value } from "../model.ts";
import type { Vm } from "../vm.ts";
import { readBytes, writeBytes } from "./applet-aid.ts";
import { curveOf, keySnapshot, rsaKey, type AsymForm, type AsymKeyState } from "./key-parts.ts";
import { CRYPTO_REASON, noSuchAlgorithm } from "./crypto-basic.ts";
import { defineImpl, implClass } from "./impl-class.ts";
import { keyState } from "./keys.ts";
import type { NativeTable } from "./native.ts";
import { forgetKey } from "./transient-state.ts";
import { aesMac, algorithmOfParts, cmac, desMac, hmac, pad, SIG_ALGORITHMS, type SigAlgorithm } from "./signature-algs.ts";

const CRYPTO = "javacard.security.CryptoException";
const MODE = { SIGN: 1, VERIFY: 2 } as const;

interface SignatureState {
  alg: number;
  mode?: number;
  /** A secret key's bytes (MACs, HMAC). */
  secret?: Uint8Array;
  /** An RSA or EC key (snapshot). */
  asym?: AsymKeyState;
  iv?: Uint8Array;
  /** Data of update() calls since init or the last sign/verify (RAM only). */
  pending?: Uint8Array;
  /** The transient kind of the key given to init, when it is transient (transient-state.ts). */
  keyTransient?: number;
}

function st(self: Value): SignatureState {
  return (self as JObject).native as SignatureState;
}

function algOf(s: SignatureState): SigAlgorithm {
  return SIG_ALGORITHMS[s.alg]!.alg;
}

const FAMILY: Readonly<Record<string, string>> = { "des-mac": "DES", "aes-mac": "AES", "aes-cmac": "AES", hmac: "HMAC" };

function init(vm: Vm, self: Value, key: Value, mode: number, iv: Uint8Array | undefined): void {
  const s = st(self);
  const a = algOf(s);
  if (mode !== MODE.SIGN && mode !== MODE.VERIFY) vm.throwJava(CRYPTO, CRYPTO_REASON.ILLEGAL_VALUE);
  const fresh: SignatureState = { alg: s.alg, mode };
  if (a.kind === "rsa" || a.kind === "ecdsa") {
    if (iv) vm.throwJava(CRYPTO, CRYPTO_REASON.ILLEGAL_VALUE);
    const forms: AsymForm[] =
      a.kind === "rsa" ? (mode === MODE.SIGN ? ["rsa-private", "rsa-crt"] : ["rsa-public"]) : [mode === MODE.SIGN ? "ec-private" : "ec-public"];
    fresh.asym = keySnapshot(vm, key, forms);
    if (fresh.asym.transient !== TRANSIENT.NONE) fresh.keyTransient = fresh.asym.transient;
    if (a.kind === "ecdsa" && !curveOf(fresh.asym)) vm.throwJava(CRYPTO, CRYPTO_REASON.ILLEGAL_VALUE);
  } else {
    const k = keyState(vm, key);
    if (k.family !== FAMILY[a.kind]) vm.throwJava(CRYPTO, CRYPTO_REASON.ILLEGAL_VALUE);
    if (!k.value) vm.throwJava(CRYPTO, CRYPTO_REASON.UNINITIALIZED_KEY);
    const block = a.kind === "des-mac" ? 8 : 16;
    if (iv && (a.kind === "hmac" || a.kind === "aes-cmac" || iv.length !== block)) vm.throwJava(CRYPTO, CRYPTO_REASON.ILLEGAL_VALUE);
    fresh.secret = k.value.slice();
    if (k.transient !== TRANSIENT.NONE) fresh.keyTransient = k.transient;
    if (iv) fresh.iv = iv;
  }
  (self as JObject).native = fresh;
  vm.heap.changed(self as JObject);
}

/** The data of this operation (pending updates and the last part); the object goes back to its state after init. */
function take(s: SignatureState, last: Uint8Array): Uint8Array {
  const data = s.pending ? new Uint8Array([...s.pending, ...last]) : last;
  delete s.pending;
  return data;
}

function ready(vm: Vm, s: SignatureState, mode: number): void {
  if (s.mode !== mode) vm.throwJava(CRYPTO, CRYPTO_REASON.INVALID_INIT);
}

/** A MAC of `data`, or the exception the API names. */
function mac(vm: Vm, s: SignatureState, a: SigAlgorithm, data: Uint8Array): Uint8Array {
  const key = s.secret!;
  switch (a.kind) {
    case "hmac":
      return hmac(a.hash, key, data);
    case "aes-cmac":
      return cmac(key, data);
    case "aes-mac": {
      if (data.length === 0 || data.length % 16 !== 0) return vm.throwJava(CRYPTO, CRYPTO_REASON.ILLEGAL_USE);
      return aesMac(key, data, s.iv ?? new Uint8Array(16));
    }
    default: {
      if (a.kind !== "des-mac") return vm.abort("not a MAC");
      const padded = pad(data, a.pad, 8);
      if (!padded || padded.length === 0) return vm.throwJava(CRYPTO, CRYPTO_REASON.ILLEGAL_USE);
      const full = desMac(key, padded, s.iv ?? new Uint8Array(8), a.alg3);
      if (!full) return vm.throwJava(CRYPTO, CRYPTO_REASON.ILLEGAL_VALUE);
      return full.slice(0, a.length);
    }
  }
}

function digest(a: SigAlgorithm, data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash((a as { hash: string }).hash).update(data).digest());
}

/** Sign a hash (RSA, ECDSA). */
function signHash(vm: Vm, s: SignatureState, a: SigAlgorithm, hash: Uint8Array): Uint8Array {
  const key = s.asym!;
  if (a.kind === "rsa") {
    const k = Math.ceil(key.bits / 8);
    const em = emsaPkcs1(a.hash, hash, k);
    const sig = em && rsaPrimitive(rsaKey(key), em, k);
    return sig ?? vm.throwJava(CRYPTO, CRYPTO_REASON.ILLEGAL_VALUE);
  }
  const c = curveOf(key)!;
  const [r, sv] = ecdsaSign(c, toBig(key.parts.s!), hash);
  return ecdsaDer(r, sv);
}

function verifyHash(vm: Vm, s: SignatureState, a: SigAlgorithm, hash: Uint8Array, sig: Uint8Array): boolean {
  const key = s.asym!;
  if (a.kind === "rsa") {
    const k = Math.ceil(key.bits / 8);
    const rk = rsaKey(key);
    if (sig.length !== k || toBig(sig) >= modulusOf(rk)) return false;
    const em = rsaPrimitive(rk, sig, k);
    const expected = emsaPkcs1(a.hash, hash, k);
    return em !== undefined && expected !== undefined && em.every((b, i) => b === expected[i]);
  }
  const c = curveOf(key)!;
  const w = decodePoint(c, key.parts.w!);
  if (!w) return vm.throwJava(CRYPTO, CRYPTO_REASON.ILLEGAL_VALUE);
  const rs = parseEcdsaDer(sig);
  return rs !== undefined && ecdsaVerify(c, w, hash, rs[0], rs[1]);
}

function sign(vm: Vm, s: SignatureState, data: Uint8Array): Uint8Array {
  const a = algOf(s);
  return a.kind === "rsa" || a.kind === "ecdsa" ? signHash(vm, s, a, digest(a, data)) : mac(vm, s, a, data);
}

function verify(vm: Vm, s: SignatureState, data: Uint8Array, sig: Uint8Array): boolean {
  const a = algOf(s);
  if (a.kind === "rsa" || a.kind === "ecdsa") return verifyHash(vm, s, a, digest(a, data), sig);
  const m = mac(vm, s, a, data);
  return sig.length === m.length && m.every((b, i) => b === sig[i]);
}

/** getLength: the MAC's, the modulus', or the longest DER ECDSA signature of the key's order. */
function length(vm: Vm, s: SignatureState): number {
  const a = algOf(s);
  if (a.kind === "rsa") return s.asym ? Math.ceil(s.asym.bits / 8) : vm.throwJava(CRYPTO, CRYPTO_REASON.INVALID_INIT);
  if (a.kind === "ecdsa") {
    if (!s.asym) return vm.throwJava(CRYPTO, CRYPTO_REASON.INVALID_INIT);
    return maxEcdsaDerLength(bitLength(toBig(s.asym.parts.r!)));
  }
  return a.length;
}

function preComputed(vm: Vm, s: SignatureState, hash: Uint8Array): SigAlgorithm {
  const a = algOf(s);
  if ((a.kind !== "rsa" && a.kind !== "ecdsa") || hash.length !== a.length) return vm.throwJava(CRYPTO, CRYPTO_REASON.ILLEGAL_USE);
  return a;
}

const signatureClass = defineImpl(
  "javacard.security.Signature$card",
  (api) =>
    implClass(api, "javacard.security.Signature$card", "javacard.security.Signature", {
      "getAlgorithm()B": (_vm, [self]) => st(self).alg,
      "getMessageDigestAlgorithm()B": (_vm, [self]) => SIG_ALGORITHMS[st(self).alg]!.parts[0],
      "getCipherAlgorithm()B": (_vm, [self]) => SIG_ALGORITHMS[st(self).alg]!.parts[1],
      "getPaddingAlgorithm()B": (_vm, [self]) => SIG_ALGORITHMS[st(self).alg]!.parts[2],
      "getLength()S": (vm, [self]) => length(vm, st(self)),
      "init(Ljavacard/security/Key;B)V": (vm, [self, key, mode]) => init(vm, self, key, mode as number, undefined),
      "init(Ljavacard/security/Key;B[BSS)V": (vm, [self, key, mode, arr, off, len]) =>
        init(vm, self, key, mode as number, readBytes(vm, arr, off as number, len as number)),
      "update([BSS)V": (vm, [self, arr, off, len]) => {
        const s = st(self);
        if (!s.mode) vm.throwJava(CRYPTO, CRYPTO_REASON.INVALID_INIT);
        const data = readBytes(vm, arr, off as number, len as number);
        s.pending = s.pending ? new Uint8Array([...s.pending, ...data]) : data;
      },
      "sign([BSS[BS)S": (vm, [self, arr, off, len, out, outOff]) => {
        const s = st(self);
        ready(vm, s, MODE.SIGN);
        const sig = sign(vm, s, take(s, readBytes(vm, arr, off as number, len as number)));
        writeBytes(vm, out, outOff as number, sig);
        return sig.length;
      },
      "verify([BSS[BSS)Z": (vm, [self, arr, off, len, sigArr, sigOff, sigLen]) => {
        const s = st(self);
        ready(vm, s, MODE.VERIFY);
        const data = take(s, readBytes(vm, arr, off as number, len as number));
        return verify(vm, s, data, readBytes(vm, sigArr, sigOff as number, sigLen as number)) ? 1 : 0;
      },
      "signPreComputedHash([BSS[BS)S": (vm, [self, arr, off, len, out, outOff]) => {
        const s = st(self);
        ready(vm, s, MODE.SIGN);
        const hash = readBytes(vm, arr, off as number, len as number);
        const sig = signHash(vm, s, preComputed(vm, s, hash), hash);
        delete s.pending;
        writeBytes(vm, out, outOff as number, sig);
        return sig.length;
      },
      "verifyPreComputedHash([BSS[BSS)Z": (vm, [self, arr, off, len, sigArr, sigOff, sigLen]) => {
        const s = st(self);
        ready(vm, s, MODE.VERIFY);
        const hash = readBytes(vm, arr, off as number, len as number);
        delete s.pending;
        return verifyHash(vm, s, preComputed(vm, s, hash), hash, readBytes(vm, sigArr, sigOff as number, sigLen as number)) ? 1 : 0;
      },
      // Continuing a hash from an intermediate state is not offered (JC API: ILLEGAL_USE when not supported).
      "setInitialDigest([BSS[BSS)V": (vm) => vm.throwJava(CRYPTO, CRYPTO_REASON.ILLEGAL_USE),
    }),
  // A tear or reset leaves the object as after init: pending data is RAM; a transient key is gone.
  (saved) => {
    const s = { ...saved } as unknown as SignatureState;
    delete s.pending;
    if (s.keyTransient !== undefined) forgetKey(s as unknown as Record<string, unknown>);
    return s;
  },
);

function getInstance(vm: Vm, alg: number, shared: number): JObject {
  if (!SIG_ALGORITHMS[alg] || shared !== 0) return noSuchAlgorithm(vm);
  const obj = vm.newObject(signatureClass(vm.api));
  obj.native = { alg } satisfies SignatureState;
  return obj;
}

export const SIGNATURE: Record<string, NativeTable> = {
  "javacard.security.Signature": {
    "getInstance(BZ)Ljavacard/security/Signature;": (vm, [alg, shared]) => getInstance(vm, alg as number, shared as number),
    "getInstance(BBBZ)Ljavacard/security/Signature;": (vm, [md, cipher, padding, shared]) => {
      const alg = algorithmOfParts(md as number, cipher as number, padding as number);
      return alg === undefined ? noSuchAlgorithm(vm) : getInstance(vm, alg, shared as number);
    },
    "<init>()V": () => {},
  },
};
