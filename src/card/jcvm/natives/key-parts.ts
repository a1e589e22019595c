/**
 * The state of an RSA or prime-field EC key object (JC API 3.0.5 RSAKey,
 * ECKey and their public/private forms): components as the applet set them
 * (big-endian, leading zeros dropped), what makes a key initialized, and
 * the get/set natives every such key shares. Engines take a snapshot of an
 * initialized key at init (plain data, kept in the card's memory).
 */
import { bitLength, toBig, toBytes } from "../crypto/bigint.ts";
import { decodePoint, type Curve } from "../crypto/ec.ts";
import type { RsaKey } from "../crypto/rsa.ts";
import { JObject, type Value } from "../model.ts";
import type { Vm } from "../vm.ts";
import { readBytes, writeBytes } from "./applet-aid.ts";
import { CRYPTO_REASON } from "./crypto-basic.ts";
import type { NativeTable } from "./native.ts";

export const CRYPTO = "javacard.security.CryptoException";

export type AsymForm = "rsa-public" | "rsa-private" | "rsa-crt" | "ec-public" | "ec-private";

export interface AsymKeyState {
  /** KeyBuilder.TYPE_* as built. */
  type: number;
  family: "RSA" | "EC";
  form: AsymForm;
  bits: number;
  transient: number;
  parts: Record<string, Uint8Array>;
  /** EC cofactor (setK). */
  k?: number;
}

/** KeyBuilder types of asymmetric keys: type → form and transient kind. */
/** The components that make each form initialized. */
const REQUIRED: Readonly<Record<AsymForm, readonly string[]>> = {
  "rsa-public": ["modulus", "exponent"],
  "rsa-private": ["modulus", "exponent"],
  "rsa-crt": ["p", "q", "dp", "dq", "pq"],
  "ec-public": ["field", "a", "b", "g", "r", "w"],
  "ec-private": ["field", "a", "b", "g", "r", "s"],
};

export const DOMAIN = ["field", "a", "b", "g", "r"] as const;

/** The asymmetric key state of `ref`, or undefined when it is another kind of key. */
export function asymState(vm: Vm, ref: Value): AsymKeyState | undefined {
  if (ref === null) return vm.throwJava("java.lang.NullPointerException");
  if (!(ref instanceof JObject)) return undefined;
  const s = ref.native as AsymKeyState | undefined;
  return s && (s.family === "RSA" || s.family === "EC") && s.parts ? s : undefined;
}

export function isInitialized(s: AsymKeyState): boolean {
  return REQUIRED[s.form].every((p) => s.parts[p] !== undefined);
}

export function domainComplete(s: AsymKeyState): boolean {
  return DOMAIN.every((p) => s.parts[p] !== undefined);
}

/** A snapshot of an initialized key for an engine (Signature, Cipher, KeyAgreement): plain data the card's memory keeps. */
export function keySnapshot(vm: Vm, ref: Value, forms: readonly AsymForm[]): AsymKeyState {
  const s = asymState(vm, ref);
  if (!s || !forms.includes(s.form)) return vm.throwJava(CRYPTO, CRYPTO_REASON.ILLEGAL_VALUE);
  if (!isInitialized(s)) return vm.throwJava(CRYPTO, CRYPTO_REASON.UNINITIALIZED_KEY);
  return { ...s, parts: { ...s.parts } };
}

/** The RSA key of a snapshot. */
export function rsaKey(s: AsymKeyState): RsaKey {
  const b = (name: string) => toBig(s.parts[name]!);
  if (s.form === "rsa-crt") return { crt: { p: b("p"), q: b("q"), dp: b("dp"), dq: b("dq"), qinv: b("pq") } };
  return { n: b("modulus"), exp: b("exponent") };
}

/** The curve of a key whose domain parameters are set; undefined when G is not a point of it. */
export function curveOf(s: AsymKeyState): Curve | undefined {
  const base = { p: toBig(s.parts.field!), a: toBig(s.parts.a!), b: toBig(s.parts.b!), gx: 0n, gy: 0n, n: toBig(s.parts.r!), h: BigInt(s.k ?? 1) };
  const g = decodePoint(base, s.parts.g!);
  return g ? { ...base, gx: g.x, gy: g.y } : undefined;
}

/** Set a component (leading zeros dropped) and mark the key changed. */
export function setPart(vm: Vm, self: Value, name: string, value: Uint8Array | undefined): void {
  const s = asymState(vm, self)!;
  if (value === undefined) delete s.parts[name];
  else {
    let i = 0;
    while (i < value.length - 1 && value[i] === 0) i++;
    s.parts[name] = value.slice(i);
  }
  vm.heap.changed(self as JObject);
}

export function state(vm: Vm, self: Value): AsymKeyState {
  const s = asymState(vm, self);
  if (!s) return vm.throwJava(CRYPTO, CRYPTO_REASON.ILLEGAL_VALUE);
  return s;
}

/** A setter: the bytes from the buffer, refused (ILLEGAL_VALUE) when longer than `maxBits` allows. */
export function setter(name: string, maxBits: (s: AsymKeyState) => number): NativeTable[string] {
  return (vm, [self, arr, off, len]) => {
    const s = state(vm, self);
    const value = readBytes(vm, arr, off as number, len as number);
    if (value.length === 0 || bitLength(toBig(value)) > maxBits(s)) vm.throwJava(CRYPTO, CRYPTO_REASON.ILLEGAL_VALUE);
    setPart(vm, self, name, value);
  };
}

/** A getter: the component padded to `bytes` (or as stored), UNINITIALIZED_KEY when unset. */
export function getter(name: string, bytes: (s: AsymKeyState) => number | undefined): NativeTable[string] {
  return (vm, [self, arr, off]) => {
    const s = state(vm, self);
    const v = s.parts[name];
    if (!v) return vm.throwJava(CRYPTO, CRYPTO_REASON.UNINITIALIZED_KEY);
    const len = bytes(s);
    const out = len === undefined || len < v.length ? v : toBytes(toBig(v), len);
    writeBytes(vm, arr, off as number, out);
    return out.length;
  };
}

export const keyBits = (s: AsymKeyState) => s.bits;
export const halfBits = (s: AsymKeyState) => Math.ceil(s.bits / 2) + 1;
export const keyBytes = (s: AsymKeyState) => Math.ceil(s.bits / 8);
export const halfBytes = (s: AsymKeyState) => Math.ceil(s.bits / 16);
export const fieldBits = (s: AsymKeyState) => (s.parts.field ? bitLength(toBig(s.parts.field)) : s.bits);

export const KEY_COMMON: NativeTable = {
  "clearKey()V": (vm, [self]) => {
    const s = state(vm, self);
    s.parts = {};
    delete s.k;
    vm.heap.changed(self as JObject);
  },
  "getSize()S": (vm, [self]) => state(vm, self).bits,
  "getType()B": (vm, [self]) => state(vm, self).type,
  "isInitialized()Z": (vm, [self]) => (isInitialized(state(vm, self)) ? 1 : 0),
};
