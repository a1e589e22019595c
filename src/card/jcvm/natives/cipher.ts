/**
 * javacardx.crypto.Cipher for DES and AES without padding, ECB and CBC (RSA in cipher-rsa.ts)
 * (JC API 3.0.5: ALG_DES_CBC_NOPAD 1, ALG_DES_ECB_NOPAD 5,
 * ALG_AES_BLOCK_128_CBC_NOPAD 13, ALG_AES_BLOCK_128_ECB_NOPAD 14), on
 * node:crypto. Single DES runs as triple DES with three equal keys. After
 * doFinal the cipher is as right after init (same key, mode and IV).
 */
import { createCipheriv, createDecipheriv, type Cipheriv, type Decipheriv } from "node:crypto";
import { TRANSIENT, type JObject, type Value } from "../model.ts";
import type { Vm } from "../vm.ts";
import { readBytes, writeBytes } from "./applet-aid.ts";
import { CRYPTO_REASON, noSuchAlgorithm } from "./crypto-basic.ts";
import { defineImpl, implClass } from "./impl-class.ts";
import { keyState } from "./keys.ts";
import type { NativeTable } from "./native.ts";
import { RSA_CIPHERS, rsaCipherInstance } from "./cipher-rsa.ts";

const CRYPTO = "javacard.security.CryptoException";
const MODE = { DECRYPT: 1, ENCRYPT: 2 } as const;

const ALGORITHMS: Readonly<Record<number, { family: "DES" | "AES"; chaining: "cbc" | "ecb" }>> = {
  1: { family: "DES", chaining: "cbc" },
  5: { family: "DES", chaining: "ecb" },
  13: { family: "AES", chaining: "cbc" },
  14: { family: "AES", chaining: "ecb" },
};

/** getInstance(cipherAlgorithm, paddingAlgorithm): "cipher/padding" (CIPHER_x, PAD_x) → ALG_x (JC API 3.0.5 Cipher). */
const BY_PARTS: Readonly<Record<string, number>> = {
  "3/1": 1, // DES CBC, no padding
  "4/1": 5, // DES ECB
  "1/1": 13, // AES CBC
  "2/1": 14, // AES ECB
  "7/7": 10, // RSA PKCS#1
  "7/1": 12, // RSA no padding
  "7/9": 15, // RSA OAEP
};

interface CipherState {
  alg: number;
  init?: { key: Uint8Array; mode: number; iv: Uint8Array };
  engine?: Cipheriv | Decipheriv;
  pending: number;
  /** The transient kind of the key given to init, when it is transient (transient-state.ts). */
  keyTransient?: number;
}

function state(self: Value): CipherState {
  return (self as JObject).native as CipherState;
}

function engineName(family: "DES" | "AES", chaining: string, key: Uint8Array): { name: string; key: Uint8Array } {
  if (family === "AES") return { name: `aes-${key.length * 8}-${chaining}`, key };
  // DES: 8 bytes K, 16 bytes K1K2 (2-key 3DES), 24 bytes K1K2K3, all as des-ede3.
  const k = key.length === 8 ? new Uint8Array([...key, ...key, ...key]) : key.length === 16 ? new Uint8Array([...key, ...key.subarray(0, 8)]) : key;
  return { name: chaining === "ecb" ? "des-ede3" : "des-ede3-cbc", key: k };
}

function start(s: CipherState): void {
  const a = ALGORITHMS[s.alg]!;
  const init = s.init!;
  const { name, key } = engineName(a.family, a.chaining, init.key);
  const iv = a.chaining === "ecb" ? null : init.iv;
  const engine = init.mode === MODE.ENCRYPT ? createCipheriv(name, key, iv) : createDecipheriv(name, key, iv);
  engine.setAutoPadding(false);
  s.engine = engine;
  s.pending = 0;
}

function blockSize(s: CipherState): number {
  return ALGORITHMS[s.alg]!.family === "AES" ? 16 : 8;
}

function init(vm: Vm, self: Value, key: Value, mode: number, iv: Uint8Array | undefined): void {
  const s = state(self);
  const k = keyState(vm, key);
  const a = ALGORITHMS[s.alg]!;
  if (k.family !== a.family) vm.throwJava(CRYPTO, CRYPTO_REASON.ILLEGAL_VALUE);
  if (!k.value) vm.throwJava(CRYPTO, CRYPTO_REASON.UNINITIALIZED_KEY);
  if (mode !== MODE.ENCRYPT && mode !== MODE.DECRYPT) vm.throwJava(CRYPTO, CRYPTO_REASON.ILLEGAL_VALUE);
  const size = blockSize(s);
  if (iv && (a.chaining === "ecb" || iv.length !== size)) vm.throwJava(CRYPTO, CRYPTO_REASON.ILLEGAL_VALUE);
  s.init = { key: k.value.slice(), mode, iv: iv ?? new Uint8Array(size) };
  if (k.transient !== TRANSIENT.NONE) s.keyTransient = k.transient;
  else delete s.keyTransient;
  start(s);
}

function process(vm: Vm, self: Value, input: Uint8Array, final: boolean): Uint8Array {
  const s = state(self);
  if (!s.init || !s.engine) return vm.throwJava(CRYPTO, CRYPTO_REASON.INVALID_INIT);
  s.pending += input.length;
  if (final && s.pending % blockSize(s) !== 0) {
    start(s);
    vm.throwJava(CRYPTO, CRYPTO_REASON.ILLEGAL_USE);
  }
  const out = new Uint8Array(s.engine.update(input));
  if (!final) return out;
  const rest = new Uint8Array(s.engine.final());
  start(s);
  return rest.length ? new Uint8Array([...out, ...rest]) : out;
}

const cipherClass = defineImpl(
  "javacardx.crypto.Cipher$card",
  (api) =>
  implClass(api, "javacardx.crypto.Cipher$card", "javacardx.crypto.Cipher", {
    "getAlgorithm()B": (_vm, [self]) => state(self).alg,
    "getCipherAlgorithm()B": (_vm, [self]) => (ALGORITHMS[state(self).alg]!.family === "AES" ? 13 : ALGORITHMS[state(self).alg]!.chaining === "cbc" ? 3 : 4),
    "getPaddingAlgorithm()B": () => 0,
    "init(Ljavacard/security/Key;B)V": (vm, [self, key, mode]) => init(vm, self, key, mode as number, undefined),
    "init(Ljavacard/security/Key;B[BSS)V": (vm, [self, key, mode, arr, off, len]) =>
      init(vm, self, key, mode as number, readBytes(vm, arr, off as number, len as number)),
    "update([BSS[BS)S": (vm, [self, arr, off, len, out, outOff]) => {
      const r = process(vm, self, readBytes(vm, arr, off as number, len as number), false);
      writeBytes(vm, out, outOff as number, r);
      return r.length;
    },
    "doFinal([BSS[BS)S": (vm, [self, arr, off, len, out, outOff]) => {
      const r = process(vm, self, readBytes(vm, arr, off as number, len as number), true);
      writeBytes(vm, out, outOff as number, r);
      return r.length;
    },
  }),
  // The key, mode and IV given to init are kept; the chaining state restarts as after init.
  (saved) => {
    // A key copied from a transient key is gone after power loss.
    const keep = saved.init !== undefined && saved.keyTransient === undefined;
    const s = { alg: saved.alg as number, pending: 0, ...(keep ? { init: saved.init as CipherState["init"] } : {}) } as CipherState;
    if (s.init) start(s);
    return s;
  },
);

function getInstance(vm: Vm, alg: number, shared: number): JObject {
  if (RSA_CIPHERS[alg] !== undefined) return rsaCipherInstance(vm, alg, shared);
  if (!ALGORITHMS[alg] || shared !== 0) return noSuchAlgorithm(vm);
  const obj = vm.newObject(cipherClass(vm.api));
  obj.native = { alg, pending: 0 } satisfies CipherState;
  return obj;
}

export const CIPHER: Record<string, NativeTable> = {
  "javacardx.crypto.Cipher": {
    "getInstance(BZ)Ljavacardx/crypto/Cipher;": (vm, [alg, shared]) => getInstance(vm, alg as number, shared as number),
    "getInstance(BBZ)Ljavacardx/crypto/Cipher;": (vm, [cipher, padding, shared]) => {
      const alg = BY_PARTS[`${cipher as number}/${padding as number}`];
      return alg === undefined ? noSuchAlgorithm(vm) : getInstance(vm, alg, shared as number);
    },
    "<init>()V": () => {},
  },
};
