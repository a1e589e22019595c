/**
 * javacard.security RandomData and MessageDigest on node:crypto, and the
 * factories of everything the card does not implement: they throw
 * CryptoException.NO_SUCH_ALGORITHM, as a card without the algorithm does
 * (JC API 3.0.5 getInstance/buildKey). docs/jcvm.md lists what is implemented.
 */
import { createHash, randomFillSync, type Hash } from "node:crypto";
import { JObject, type Value } from "../model.ts";
import type { Vm } from "../vm.ts";
import { readBytes, writeBytes } from "./applet-aid.ts";
import { defineImpl, implClass } from "./impl-class.ts";
import type { NativeTable } from "./native.ts";

const CRYPTO = "javacard.security.CryptoException";
/** CryptoException reasons. */
export const CRYPTO_REASON = { ILLEGAL_VALUE: 1, UNINITIALIZED_KEY: 2, NO_SUCH_ALGORITHM: 3, INVALID_INIT: 4, ILLEGAL_USE: 5 } as const;

export function noSuchAlgorithm(vm: Vm): never {
  return vm.throwJava(CRYPTO, CRYPTO_REASON.NO_SUCH_ALGORITHM);
}

/** MessageDigest algorithms (MessageDigest.ALG_*) → node:crypto hash and length. */
export const DIGESTS: Readonly<Record<number, { name: string; length: number }>> = {
  1: { name: "sha1", length: 20 },
  2: { name: "md5", length: 16 },
  3: { name: "ripemd160", length: 20 },
  4: { name: "sha256", length: 32 },
  5: { name: "sha384", length: 48 },
  6: { name: "sha512", length: 64 },
  7: { name: "sha224", length: 28 },
  8: { name: "sha3-224", length: 28 },
  9: { name: "sha3-256", length: 32 },
  10: { name: "sha3-384", length: 48 },
  11: { name: "sha3-512", length: 64 },
};

/** RandomData algorithms the card offers: pseudo-random, secure, TRNG, pre-seeded DRBG, fast, key generation (all from the OS's CSPRNG). */
const RANDOM_ALGORITHMS = new Set([1, 2, 3, 4, 5, 6]);

interface DigestState {
  alg: number;
  hash: Hash;
}

const digestClass = defineImpl(
  "javacard.security.MessageDigest$card",
  (api) =>
  implClass(api, "javacard.security.MessageDigest$card", "javacard.security.MessageDigest", {
    "getAlgorithm()B": (_vm, [self]) => digest(self).alg,
    "getLength()B": (_vm, [self]) => DIGESTS[digest(self).alg]!.length,
    "reset()V": (_vm, [self]) => {
      const d = digest(self);
      d.hash = createHash(DIGESTS[d.alg]!.name);
    },
    "update([BSS)V": (vm, [self, arr, off, len]) => {
      digest(self).hash.update(readBytes(vm, arr, off as number, len as number));
    },
    "doFinal([BSS[BS)S": (vm, [self, arr, off, len, out, outOff]) => {
      const d = digest(self);
      d.hash.update(readBytes(vm, arr, off as number, len as number));
      const value = new Uint8Array(d.hash.digest());
      d.hash = createHash(DIGESTS[d.alg]!.name);
      writeBytes(vm, out, outOff as number, value);
      return value.length;
    },
  }),
  // A digest in progress is not kept across power loss: it restarts empty.
  (s) => ({ alg: s.alg, hash: createHash(DIGESTS[s.alg as number]!.name) }),
);

function digest(self: Value): DigestState {
  return (self as JObject).native as DigestState;
}

const randomClass = defineImpl("javacard.security.RandomData$card", (api) =>
  implClass(api, "javacard.security.RandomData$card", "javacard.security.RandomData", {
    "getAlgorithm()B": (_vm, [self]) => ((self as JObject).native as { alg: number }).alg,
    "generateData([BSS)V": (vm, [, arr, off, len]) => writeBytes(vm, arr, off as number, randomFillSync(new Uint8Array(len as number))),
    "nextBytes([BSS)S": (vm, [, arr, off, len]) => {
      writeBytes(vm, arr, off as number, randomFillSync(new Uint8Array(len as number)));
      return ((off as number) + (len as number)) & 0xffff;
    },
    "setSeed([BSS)V": (vm, [, arr, off, len]) => {
      readBytes(vm, arr, off as number, len as number);
    },
  }),
);

/** A card implementation object of `cls` with native state, owned by the calling context. */
function instance(vm: Vm, make: (api: Vm["api"]) => ReturnType<typeof implClass>, state: unknown): JObject {
  const obj = vm.newObject(make(vm.api));
  obj.native = state;
  return obj;
}

export const CRYPTO_BASIC: Record<string, NativeTable> = {
  "javacard.security.RandomData": {
    "getInstance(B)Ljavacard/security/RandomData;": (vm, [alg]) => {
      if (!RANDOM_ALGORITHMS.has(alg as number)) noSuchAlgorithm(vm);
      return instance(vm, randomClass, { alg: alg as number });
    },
    "<init>()V": () => {},
  },
  "javacard.security.MessageDigest": {
    "getInstance(BZ)Ljavacard/security/MessageDigest;": (vm, [alg, shared]) => {
      const d = DIGESTS[alg as number];
      if (!d || shared !== 0) noSuchAlgorithm(vm);
      return instance(vm, digestClass, { alg: alg as number, hash: createHash(d.name) } satisfies DigestState);
    },
    "getInitializedMessageDigestInstance(BZ)Ljavacard/security/InitializedMessageDigest;": (vm) => noSuchAlgorithm(vm),
    "<init>()V": () => {},
  },
  "javacard.security.KeyBuilder": {
    "buildKeyWithSharedDomain(BBLjavacard/security/Key;Z)Ljavacard/security/Key;": (vm) => noSuchAlgorithm(vm),
    "buildXECKey(Ljavacard/security/NamedParameterSpec;SZ)Ljavacard/security/Key;": (vm) => noSuchAlgorithm(vm),
  },
};
