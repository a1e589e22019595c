/**
 * RSA and prime-field EC keys of javacard.security (JC API 3.0.5 KeyBuilder
 * TYPE_RSA_PUBLIC/PRIVATE/CRT_PRIVATE, TYPE_EC_FP_PUBLIC/PRIVATE and their
 * transient forms; RSAPublicKey, RSAPrivateKey, RSAPrivateCrtKey, ECKey,
 * ECPublicKey, ECPrivateKey). Components are kept as the applet set them
 * (big-endian, leading zeros dropped) in the key object's state, which the
 * card's memory keeps; a transient key loses them at power loss. A key is
 * initialized when every component its interface names is set.
 */
import { bitLength, toBig, toBytes } from "../crypto/bigint.ts";
import { decodePoint, encodePoint, type Curve, type Point } from "../crypto/ec.ts";
import type { RsaKey } from "../crypto/rsa.ts";
import { JObject, TRANSIENT, type Value } from "../model.ts";
import type { Vm } from "../vm.ts";
import { readBytes, writeBytes } from "./applet-aid.ts";
import { CRYPTO_REASON, noSuchAlgorithm } from "./crypto-basic.ts";
import { defineImpl, implClass } from "./impl-class.ts";
import type { NativeTable } from "./native.ts";

const CRYPTO = "javacard.security.CryptoException";

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
const ASYM_TYPES: Readonly<Record<number, { form: AsymForm; transient: number }>> = {
  4: { form: "rsa-public", transient: TRANSIENT.NONE },
  5: { form: "rsa-private", transient: TRANSIENT.NONE },
  6: { form: "rsa-crt", transient: TRANSIENT.NONE },
  22: { form: "rsa-private", transient: TRANSIENT.CLEAR_ON_RESET },
  23: { form: "rsa-private", transient: TRANSIENT.CLEAR_ON_DESELECT },
  24: { form: "rsa-crt", transient: TRANSIENT.CLEAR_ON_RESET },
  25: { form: "rsa-crt", transient: TRANSIENT.CLEAR_ON_DESELECT },
  11: { form: "ec-public", transient: TRANSIENT.NONE },
  12: { form: "ec-private", transient: TRANSIENT.NONE },
  30: { form: "ec-private", transient: TRANSIENT.CLEAR_ON_RESET },
  31: { form: "ec-private", transient: TRANSIENT.CLEAR_ON_DESELECT },
};

/** KeyBuilder.LENGTH_RSA_* and LENGTH_EC_FP_*. */
export const RSA_LENGTHS: readonly number[] = [512, 736, 768, 896, 1024, 1280, 1536, 1984, 2048, 3072, 4096];
export const EC_FP_LENGTHS: readonly number[] = [112, 128, 160, 192, 224, 256, 384, 521];

/** The components that make each form initialized. */
const REQUIRED: Readonly<Record<AsymForm, readonly string[]>> = {
  "rsa-public": ["modulus", "exponent"],
  "rsa-private": ["modulus", "exponent"],
  "rsa-crt": ["p", "q", "dp", "dq", "pq"],
  "ec-public": ["field", "a", "b", "g", "r", "w"],
  "ec-private": ["field", "a", "b", "g", "r", "s"],
};

const INTERFACE: Readonly<Record<AsymForm, string>> = {
  "rsa-public": "javacard.security.RSAPublicKey",
  "rsa-private": "javacard.security.RSAPrivateKey",
  "rsa-crt": "javacard.security.RSAPrivateCrtKey",
  "ec-public": "javacard.security.ECPublicKey",
  "ec-private": "javacard.security.ECPrivateKey",
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

function state(vm: Vm, self: Value): AsymKeyState {
  const s = asymState(vm, self);
  if (!s) return vm.throwJava(CRYPTO, CRYPTO_REASON.ILLEGAL_VALUE);
  return s;
}

/** A setter: the bytes from the buffer, refused (ILLEGAL_VALUE) when longer than `maxBits` allows. */
function setter(name: string, maxBits: (s: AsymKeyState) => number): NativeTable[string] {
  return (vm, [self, arr, off, len]) => {
    const s = state(vm, self);
    const value = readBytes(vm, arr, off as number, len as number);
    if (value.length === 0 || bitLength(toBig(value)) > maxBits(s)) vm.throwJava(CRYPTO, CRYPTO_REASON.ILLEGAL_VALUE);
    setPart(vm, self, name, value);
  };
}

/** A getter: the component padded to `bytes` (or as stored), UNINITIALIZED_KEY when unset. */
function getter(name: string, bytes: (s: AsymKeyState) => number | undefined): NativeTable[string] {
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

const keyBits = (s: AsymKeyState) => s.bits;
const halfBits = (s: AsymKeyState) => Math.ceil(s.bits / 2) + 1;
const keyBytes = (s: AsymKeyState) => Math.ceil(s.bits / 8);
const halfBytes = (s: AsymKeyState) => Math.ceil(s.bits / 16);
const fieldBits = (s: AsymKeyState) => (s.parts.field ? bitLength(toBig(s.parts.field)) : s.bits);

const KEY_COMMON: NativeTable = {
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

const RSA_NATIVES: NativeTable = {
  ...KEY_COMMON,
  "setModulus([BSS)V": setter("modulus", keyBits),
  "setExponent([BSS)V": setter("exponent", keyBits),
  "getModulus([BS)S": getter("modulus", keyBytes),
  "getExponent([BS)S": getter("exponent", () => undefined),
};

const RSA_CRT_NATIVES: NativeTable = {
  ...KEY_COMMON,
  ...Object.fromEntries(
    (["P", "Q", "DP1", "DQ1", "PQ"] as const).flatMap((c) => {
      const part = { P: "p", Q: "q", DP1: "dp", DQ1: "dq", PQ: "pq" }[c];
      return [
        [`set${c}([BSS)V`, setter(part, halfBits)],
        [`get${c}([BS)S`, getter(part, halfBytes)],
      ];
    }),
  ),
};

/** A point (G or W) as set: X9.62 encoded, checked for its length against the field when the field is known. */
function pointSetter(name: string): NativeTable[string] {
  return (vm, [self, arr, off, len]) => {
    const s = state(vm, self);
    const value = readBytes(vm, arr, off as number, len as number);
    const f = Math.ceil(fieldBits(s) / 8);
    const ok = (value[0] === 0x04 && value.length === 1 + 2 * f) || ((value[0] === 0x02 || value[0] === 0x03) && value.length === 1 + f);
    if (!ok) vm.throwJava(CRYPTO, CRYPTO_REASON.ILLEGAL_VALUE);
    s.parts[name] = value;
    vm.heap.changed(self as JObject);
  };
}

/** A point as the uncompressed encoding (decompressed when the domain allows). */
function pointGetter(name: string): NativeTable[string] {
  return (vm, [self, arr, off]) => {
    const s = state(vm, self);
    const v = s.parts[name];
    if (!v) return vm.throwJava(CRYPTO, CRYPTO_REASON.UNINITIALIZED_KEY);
    let out = v;
    if (v[0] !== 0x04 && domainComplete(s)) {
      const c = curveOf(s);
      const q: Point | undefined = c ? decodePoint(c, v) : undefined;
      if (c && q) out = encodePoint(c, q);
    }
    writeBytes(vm, arr, off as number, out);
    return out.length;
  };
}

const fieldBytes = (s: AsymKeyState) => Math.ceil(fieldBits(s) / 8);

const EC_NATIVES: NativeTable = {
  ...KEY_COMMON,
  "setFieldFP([BSS)V": (vm, [self, arr, off, len]) => {
    const s = state(vm, self);
    const p = readBytes(vm, arr, off as number, len as number);
    if (bitLength(toBig(p)) !== s.bits) vm.throwJava(CRYPTO, CRYPTO_REASON.ILLEGAL_VALUE);
    setPart(vm, self, "field", p);
  },
  // Binary fields are not implemented: a card without them refuses (JC API ECKey.setFieldF2M).
  "setFieldF2M(S)V": (vm) => vm.throwJava(CRYPTO, CRYPTO_REASON.ILLEGAL_VALUE),
  "setFieldF2M(SSS)V": (vm) => vm.throwJava(CRYPTO, CRYPTO_REASON.ILLEGAL_VALUE),
  "setA([BSS)V": setter("a", fieldBits),
  "setB([BSS)V": setter("b", fieldBits),
  "setG([BSS)V": pointSetter("g"),
  "setR([BSS)V": setter("r", (s) => fieldBits(s) + 1),
  "setK(S)V": (vm, [self, k]) => {
    state(vm, self).k = (k as number) & 0xffff;
    vm.heap.changed(self as JObject);
  },
  "getField([BS)S": getter("field", fieldBytes),
  "getA([BS)S": getter("a", fieldBytes),
  "getB([BS)S": getter("b", fieldBytes),
  "getG([BS)S": pointGetter("g"),
  "getR([BS)S": getter("r", () => undefined),
  "getK()S": (vm, [self]) => {
    const s = state(vm, self);
    if (s.k === undefined) return vm.throwJava(CRYPTO, CRYPTO_REASON.UNINITIALIZED_KEY);
    return (s.k << 16) >> 16;
  },
  "copyDomainParametersFrom(Ljavacard/security/ECKey;)V": (vm, [self, from]) => {
    const src = asymState(vm, from);
    if (!src || src.family !== "EC" || !domainComplete(src)) return vm.throwJava(CRYPTO, CRYPTO_REASON.UNINITIALIZED_KEY);
    const s = state(vm, self);
    if (src.bits !== s.bits) vm.throwJava(CRYPTO, CRYPTO_REASON.ILLEGAL_VALUE);
    for (const p of DOMAIN) s.parts[p] = src.parts[p]!;
    if (src.k !== undefined) s.k = src.k;
    vm.heap.changed(self as JObject);
  },
  "setW([BSS)V": pointSetter("w"),
  "getW([BS)S": pointGetter("w"),
  "setS([BSS)V": setter("s", (s) => (s.parts.r ? bitLength(toBig(s.parts.r)) : fieldBits(s) + 1)),
  "getS([BS)S": getter("s", (s) => Math.ceil((s.parts.r ? bitLength(toBig(s.parts.r)) : s.bits) / 8)),
};

const NATIVES_OF: Readonly<Record<AsymForm, NativeTable>> = {
  "rsa-public": RSA_NATIVES,
  "rsa-private": RSA_NATIVES,
  "rsa-crt": RSA_CRT_NATIVES,
  "ec-public": EC_NATIVES,
  "ec-private": EC_NATIVES,
};

const keyClasses = Object.fromEntries(
  (Object.keys(INTERFACE) as AsymForm[]).map((form) => {
    const name = `${INTERFACE[form]}$card`;
    return [
      form,
      defineImpl(name, (api) => implClass(api, name, "java.lang.Object", NATIVES_OF[form], [INTERFACE[form]]), (saved) => {
        // A transient key's components do not survive power loss.
        const st = saved as unknown as AsymKeyState;
        return st.transient === TRANSIENT.NONE ? st : { ...st, parts: {} };
      }),
    ];
  }),
) as Record<AsymForm, (api: Vm["api"]) => ReturnType<typeof implClass>>;

/** KeyBuilder.buildKey for an asymmetric type; undefined when `type` is not one. */
export function buildAsymKey(vm: Vm, type: number, bits: number): JObject | undefined {
  const t = ASYM_TYPES[type];
  if (!t) return undefined;
  const lengths = t.form.startsWith("rsa") ? RSA_LENGTHS : EC_FP_LENGTHS;
  if (!lengths.includes(bits)) noSuchAlgorithm(vm);
  const obj = vm.newObject(keyClasses[t.form](vm.api));
  obj.native = { type, family: t.form.startsWith("rsa") ? "RSA" : "EC", form: t.form, bits, transient: t.transient, parts: {} } satisfies AsymKeyState;
  return obj;
}

/** Write a component directly (key generation). */
export function putPart(s: AsymKeyState, name: string, value: Uint8Array): void {
  s.parts[name] = value;
}
