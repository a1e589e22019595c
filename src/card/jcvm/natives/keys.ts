/**
 * javacard.security.KeyBuilder and the secret keys the card implements:
 * DES (single, 2-key and 3-key triple DES), AES (128/192/256) and HMAC, in
 * persistent or transient (CLEAR_ON_RESET/DESELECT) memory; RSA and EC keys
 * are built by asym-keys.ts. Other key types throw
 * CryptoException.NO_SUCH_ALGORITHM (JC API 3.0.5 KeyBuilder.buildKey).
 */
import { JObject, TRANSIENT, type Value } from "../model.ts";
import type { Vm } from "../vm.ts";
import { readBytes, writeBytes } from "./applet-aid.ts";
import { CRYPTO_REASON, noSuchAlgorithm } from "./crypto-basic.ts";
import { defineImpl, implClass } from "./impl-class.ts";
import type { NativeTable } from "./native.ts";
import { buildAsymKey } from "./asym-keys.ts";

export interface SecretKeyState {
  /** KeyBuilder.TYPE_* as built. */
  type: number;
  family: "DES" | "AES" | "HMAC";
  bits: number;
  transient: number;
  value: Uint8Array | undefined;
}

/** KeyBuilder types the card builds: type → family and transient kind. */
const SECRET_TYPES: Readonly<Record<number, { family: SecretKeyState["family"]; transient: number }>> = {
  1: { family: "DES", transient: TRANSIENT.CLEAR_ON_RESET },
  2: { family: "DES", transient: TRANSIENT.CLEAR_ON_DESELECT },
  3: { family: "DES", transient: TRANSIENT.NONE },
  13: { family: "AES", transient: TRANSIENT.CLEAR_ON_RESET },
  14: { family: "AES", transient: TRANSIENT.CLEAR_ON_DESELECT },
  15: { family: "AES", transient: TRANSIENT.NONE },
  19: { family: "HMAC", transient: TRANSIENT.CLEAR_ON_RESET },
  20: { family: "HMAC", transient: TRANSIENT.CLEAR_ON_DESELECT },
  21: { family: "HMAC", transient: TRANSIENT.NONE },
};

/**
 * buildKey(algorithmicKeyType, keyMemoryType, ...) (JC API 3.0.5): the
 * KeyBuilder.ALG_TYPE_* and JCSystem.MEMORY_TYPE_* (persistent 0,
 * TRANSIENT_RESET 1, TRANSIENT_DESELECT 2) → the TYPE_* it builds. Public
 * keys have no transient form.
 */
const BY_ALGORITHMIC_TYPE: Readonly<Record<number, readonly number[]>> = {
  1: [3, 1, 2], // DES
  2: [15, 13, 14], // AES
  7: [11], // EC_FP_PUBLIC
  8: [12, 30, 31], // EC_FP_PRIVATE
  9: [21, 19, 20], // HMAC
  11: [4], // RSA_PUBLIC
  12: [5, 22, 23], // RSA_PRIVATE
  13: [6, 24, 25], // RSA_CRT_PRIVATE
};

const LENGTHS: Readonly<Record<SecretKeyState["family"], readonly number[]>> = {
  DES: [64, 128, 192],
  AES: [128, 192, 256],
  HMAC: [],
};

const INTERFACE = { DES: "javacard.security.DESKey", AES: "javacard.security.AESKey", HMAC: "javacard.security.HMACKey" } as const;

export function keyState(vm: Vm, ref: Value): SecretKeyState {
  if (!(ref instanceof JObject)) return vm.throwJava("java.lang.NullPointerException");
  const s = ref.native as SecretKeyState | undefined;
  if (!s || s.family === undefined) return vm.throwJava("javacard.security.CryptoException", CRYPTO_REASON.ILLEGAL_VALUE);
  return s;
}

function keyNatives(family: SecretKeyState["family"]): NativeTable {
  const bytes = (s: SecretKeyState) => (family === "HMAC" ? (s.value?.length ?? 0) : s.bits / 8);
  return {
    "clearKey()V": (vm, [self]) => {
      keyState(vm, self).value = undefined;
      vm.heap.changed(self as JObject);
    },
    "getSize()S": (vm, [self]) => keyState(vm, self).bits,
    "getType()B": (vm, [self]) => keyState(vm, self).type,
    "isInitialized()Z": (vm, [self]) => (keyState(vm, self).value ? 1 : 0),
    "setKey([BS)V": (vm, [self, arr, off]) => {
      const s = keyState(vm, self);
      s.value = readBytes(vm, arr, off as number, bytes(s));
      vm.heap.changed(self as JObject);
    },
    "setKey([BSS)V": (vm, [self, arr, off, len]) => {
      const s = keyState(vm, self);
      s.value = readBytes(vm, arr, off as number, len as number);
      vm.heap.changed(self as JObject);
    },
    "getKey([BS)B": (vm, [self, arr, off]) => {
      const s = keyState(vm, self);
      const value = s.value;
      if (!value) return vm.throwJava("javacard.security.CryptoException", CRYPTO_REASON.UNINITIALIZED_KEY);
      writeBytes(vm, arr, off as number, value);
      return value.length;
    },
  };
}

const keyClasses = Object.fromEntries(
  (["DES", "AES", "HMAC"] as const).map((family) => [
    family,
    defineImpl(`${INTERFACE[family]}$card`, (api) => implClass(api, `${INTERFACE[family]}$card`, "java.lang.Object", keyNatives(family), [INTERFACE[family]]), (s) => {
      // A transient key's value does not survive power loss.
      const state = s as unknown as SecretKeyState;
      return state.transient === TRANSIENT.NONE ? state : { ...state, value: undefined };
    }),
  ]),
) as Record<SecretKeyState["family"], (api: Vm["api"]) => ReturnType<typeof implClass>>;

function buildKey(vm: Vm, type: number, bits: number): JObject {
  const asym = buildAsymKey(vm, type, bits);
  if (asym) return asym;
  const t = SECRET_TYPES[type];
  if (!t) return noSuchAlgorithm(vm);
  if (t.family !== "HMAC" && !LENGTHS[t.family].includes(bits)) noSuchAlgorithm(vm);
  if (t.family === "HMAC" && (bits < 8 || bits % 8 !== 0)) noSuchAlgorithm(vm);
  const obj = vm.newObject(keyClasses[t.family](vm.api));
  obj.native = { type, family: t.family, bits, transient: t.transient, value: undefined } satisfies SecretKeyState;
  return obj;
}

export const KEYS: Record<string, NativeTable> = {
  "javacard.security.KeyBuilder": {
    "buildKey(BSZ)Ljavacard/security/Key;": (vm, [type, bits]) => buildKey(vm, type as number, bits as number),
    "buildKey(BBSZ)Ljavacard/security/Key;": (vm, [alg, memory, bits]) => {
      const type = BY_ALGORITHMIC_TYPE[alg as number]?.[memory as number];
      return type === undefined ? noSuchAlgorithm(vm) : buildKey(vm, type, bits as number);
    },
  },
};
