/**
 * The natives of ECPublicKey and ECPrivateKey over a prime field (JC API
 * 3.0.5 ECKey): domain parameters, W as an X9.62 point (compressed accepted,
 * uncompressed given back), S; binary fields refused.
 */
import { bitLength, toBig } from "../crypto/bigint.ts";
import { decodePoint, encodePoint, type Point } from "../crypto/ec.ts";
import { JObject } from "../model.ts";
import { readBytes, writeBytes } from "./applet-aid.ts";
import { CRYPTO_REASON } from "./crypto-basic.ts";
import { asymState, CRYPTO, curveOf, DOMAIN, domainComplete, fieldBits, getter, KEY_COMMON, setPart, setter, state, type AsymKeyState } from "./key-parts.ts";
import type { NativeTable } from "./native.ts";

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

export const EC_NATIVES: NativeTable = {
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
