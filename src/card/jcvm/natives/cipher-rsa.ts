/**
 * javacardx.crypto.Cipher for RSA (JC API 3.0.5): ALG_RSA_PKCS1 (RSAES-
 * PKCS1-v1_5; with a private key, encryption pads as block type 1 and
 * public-key decryption expects it), ALG_RSA_PKCS1_OAEP (SHA-1, MGF1-SHA-1,
 * empty label) and ALG_RSA_NOPAD (the raw primitive on a modulus-sized
 * block). update() gathers input; doFinal() runs the whole block. Input
 * too long, a block not of the modulus' size, or bad padding on decryption
 * throw CryptoException.ILLEGAL_USE.
 */
import { toBig } from "../crypto/bigint.ts";
import { modulusOf, oaepPad, oaepUnpad, pkcs1Pad, pkcs1Unpad, rsaPrimitive } from "../crypto/rsa.ts";
import { TRANSIENT, type JObject, type Value } from "../model.ts";
import type { Vm } from "../vm.ts";
import { readBytes, writeBytes } from "./applet-aid.ts";
import { keySnapshot, rsaKey, type AsymKeyState } from "./key-parts.ts";
import { CRYPTO_REASON, noSuchAlgorithm } from "./crypto-basic.ts";
import { defineImpl, implClass } from "./impl-class.ts";
import type { NativeTable } from "./native.ts";
import { forgetKey } from "./transient-state.ts";

const CRYPTO = "javacard.security.CryptoException";
const MODE = { DECRYPT: 1, ENCRYPT: 2 } as const;

/** Cipher.ALG_* → Cipher.PAD_* (the cipher is CIPHER_RSA, 7). */
export const RSA_CIPHERS: Readonly<Record<number, number>> = { 10: 7, 12: 1, 15: 9 };

interface RsaCipherState {
  alg: number;
  mode?: number;
  key?: AsymKeyState;
  pending?: Uint8Array;
  keyTransient?: number;
}

function st(self: Value): RsaCipherState {
  return (self as JObject).native as RsaCipherState;
}

/** EMSA-style block type 1 for private-key encryption (PKCS #1 v1.5 §8.1 of RFC 2313). */
function type1Pad(m: Uint8Array, k: number): Uint8Array | undefined {
  if (m.length > k - 11) return undefined;
  const em = new Uint8Array(k).fill(0xff);
  em[0] = 0x00;
  em[1] = 0x01;
  em[k - m.length - 1] = 0x00;
  em.set(m, k - m.length);
  return em;
}

function type1Unpad(em: Uint8Array): Uint8Array | undefined {
  if (em[0] !== 0x00 || em[1] !== 0x01) return undefined;
  let i = 2;
  while (i < em.length && em[i] === 0xff) i++;
  if (i < 10 || em[i] !== 0x00) return undefined;
  return em.slice(i + 1);
}

function run(vm: Vm, s: RsaCipherState, input: Uint8Array): Uint8Array {
  if (!s.key || !s.mode) return vm.throwJava(CRYPTO, CRYPTO_REASON.INVALID_INIT);
  const key = rsaKey(s.key);
  const k = Math.ceil(s.key.bits / 8);
  const isPublic = s.key.form === "rsa-public";
  const illegal = (): never => vm.throwJava(CRYPTO, CRYPTO_REASON.ILLEGAL_USE);
  if (s.mode === MODE.ENCRYPT) {
    const em = s.alg === 12 ? (input.length === k ? input : undefined) : s.alg === 15 ? oaepPad(input, k) : isPublic ? pkcs1Pad(input, k) : type1Pad(input, k);
    if (!em || toBig(em) >= modulusOf(key)) return illegal();
    return rsaPrimitive(key, em, k) ?? illegal();
  }
  if (input.length !== k) return illegal();
  const em = rsaPrimitive(key, input, k) ?? illegal();
  if (s.alg === 12) return em;
  const m = s.alg === 15 ? oaepUnpad(em, k) : isPublic ? type1Unpad(em) : pkcs1Unpad(em);
  return m ?? illegal();
}

const rsaCipherClass = defineImpl(
  "javacardx.crypto.Cipher$rsa",
  (api) =>
    implClass(api, "javacardx.crypto.Cipher$rsa", "javacardx.crypto.Cipher", {
      "getAlgorithm()B": (_vm, [self]) => st(self).alg,
      "getCipherAlgorithm()B": () => 7,
      "getPaddingAlgorithm()B": (_vm, [self]) => RSA_CIPHERS[st(self).alg]!,
      "init(Ljavacard/security/Key;B)V": (vm, [self, key, mode]) => {
        if (mode !== MODE.ENCRYPT && mode !== MODE.DECRYPT) vm.throwJava(CRYPTO, CRYPTO_REASON.ILLEGAL_VALUE);
        const s = st(self);
        s.key = keySnapshot(vm, key, ["rsa-public", "rsa-private", "rsa-crt"]);
        s.mode = mode as number;
        delete s.pending;
        if (s.key.transient !== TRANSIENT.NONE) s.keyTransient = s.key.transient;
        else delete s.keyTransient;
        vm.heap.changed(self as JObject);
      },
      // RSA takes no IV (JC API Cipher.init: ILLEGAL_VALUE).
      "init(Ljavacard/security/Key;B[BSS)V": (vm) => vm.throwJava(CRYPTO, CRYPTO_REASON.ILLEGAL_VALUE),
      "update([BSS[BS)S": (vm, [self, arr, off, len]) => {
        const s = st(self);
        if (!s.key) vm.throwJava(CRYPTO, CRYPTO_REASON.INVALID_INIT);
        const data = readBytes(vm, arr, off as number, len as number);
        s.pending = s.pending ? new Uint8Array([...s.pending, ...data]) : data;
        return 0;
      },
      "doFinal([BSS[BS)S": (vm, [self, arr, off, len, out, outOff]) => {
        const s = st(self);
        const data = readBytes(vm, arr, off as number, len as number);
        const input = s.pending ? new Uint8Array([...s.pending, ...data]) : data;
        delete s.pending;
        const r = run(vm, s, input);
        writeBytes(vm, out, outOff as number, r);
        return r.length;
      },
    }),
  (saved) => {
    const s = { ...saved } as unknown as RsaCipherState;
    delete s.pending;
    if (s.keyTransient !== undefined) forgetKey(s as unknown as Record<string, unknown>);
    return s;
  },
);

/** Cipher.getInstance for an RSA algorithm. */
export function rsaCipherInstance(vm: Vm, alg: number, shared: number): JObject {
  if (RSA_CIPHERS[alg] === undefined || shared !== 0) return noSuchAlgorithm(vm);
  const obj = vm.newObject(rsaCipherClass(vm.api));
  obj.native = { alg } satisfies RsaCipherState;
  return obj;
}
