/**
 * javacard.security.KeyAgreement (JC API 3.0.5) over prime-field curves:
 * ALG_EC_SVDP_DH (the SHA-1 digest of the shared point's x coordinate),
 * ALG_EC_SVDP_DHC (the same with cofactor multiplication, IEEE P1363
 * compatibility mode), ALG_EC_SVDP_DH_PLAIN / _DHC_PLAIN (x itself, a field
 * element's length) and ALG_EC_SVDP_DH_PLAIN_XY (the uncompressed point).
 * generateSecret takes the other party's public point as X9.62 bytes and
 * refuses (ILLEGAL_VALUE) one that is not on the curve.
 */
import { createHash } from "node:crypto";
import { toBig, toBytes } from "../crypto/bigint.ts";
import { decodePoint, encodePoint, fieldBytes, sharedPoint } from "../crypto/ec.ts";
import { TRANSIENT, type JObject, type Value } from "../model.ts";
import type { Vm } from "../vm.ts";
import { readBytes, writeBytes } from "./applet-aid.ts";
import { curveOf, keySnapshot, type AsymKeyState } from "./key-parts.ts";
import { CRYPTO_REASON, noSuchAlgorithm } from "./crypto-basic.ts";
import { defineImpl, implClass } from "./impl-class.ts";
import type { NativeTable } from "./native.ts";
import { forgetKey } from "./transient-state.ts";

const CRYPTO = "javacard.security.CryptoException";

/** KeyAgreement.ALG_* → cofactor multiplication and output form. */
const ALGORITHMS: Readonly<Record<number, { cofactor: boolean; output: "sha1-x" | "x" | "xy" }>> = {
  1: { cofactor: false, output: "sha1-x" },
  2: { cofactor: true, output: "sha1-x" },
  3: { cofactor: false, output: "x" },
  4: { cofactor: true, output: "x" },
  6: { cofactor: false, output: "xy" },
};

interface AgreementState {
  alg: number;
  key?: AsymKeyState;
  keyTransient?: number;
}

function st(self: Value): AgreementState {
  return (self as JObject).native as AgreementState;
}

function generateSecret(vm: Vm, s: AgreementState, publicData: Uint8Array): Uint8Array {
  if (!s.key) return vm.throwJava(CRYPTO, CRYPTO_REASON.INVALID_INIT);
  const a = ALGORITHMS[s.alg]!;
  const c = curveOf(s.key)!;
  const w = decodePoint(c, publicData);
  if (!w) return vm.throwJava(CRYPTO, CRYPTO_REASON.ILLEGAL_VALUE);
  const z = sharedPoint(c, toBig(s.key.parts.s!), w, a.cofactor);
  if (!z) return vm.throwJava(CRYPTO, CRYPTO_REASON.ILLEGAL_VALUE);
  if (a.output === "xy") return encodePoint(c, z);
  const x = toBytes(z.x, fieldBytes(c));
  return a.output === "x" ? x : new Uint8Array(createHash("sha1").update(x).digest());
}

const agreementClass = defineImpl(
  "javacard.security.KeyAgreement$card",
  (api) =>
  implClass(api, "javacard.security.KeyAgreement$card", "javacard.security.KeyAgreement", {
    "getAlgorithm()B": (_vm, [self]) => st(self).alg,
    "init(Ljavacard/security/PrivateKey;)V": (vm, [self, key]) => {
      const s = st(self);
      const snapshot = keySnapshot(vm, key, ["ec-private"]);
      if (!curveOf(snapshot)) vm.throwJava(CRYPTO, CRYPTO_REASON.ILLEGAL_VALUE);
      if (ALGORITHMS[s.alg]!.cofactor && snapshot.k === undefined) vm.throwJava(CRYPTO, CRYPTO_REASON.UNINITIALIZED_KEY);
      s.key = snapshot;
      if (snapshot.transient !== TRANSIENT.NONE) s.keyTransient = snapshot.transient;
      else delete s.keyTransient;
      vm.heap.changed(self as JObject);
    },
    "generateSecret([BSS[BS)S": (vm, [self, arr, off, len, out, outOff]) => {
      const secret = generateSecret(vm, st(self), readBytes(vm, arr, off as number, len as number));
      writeBytes(vm, out, outOff as number, secret);
      return secret.length;
    },
  }),
  // After power loss, a key copied from a transient key is gone.
  (saved) => {
    const s = { ...saved } as unknown as AgreementState;
    if (s.keyTransient !== undefined) forgetKey(s as unknown as Record<string, unknown>);
    return s;
  },
);

export const KEY_AGREEMENT: Record<string, NativeTable> = {
  "javacard.security.KeyAgreement": {
    "getInstance(BZ)Ljavacard/security/KeyAgreement;": (vm, [alg, shared]) => {
      if (!ALGORITHMS[alg as number] || shared !== 0) return noSuchAlgorithm(vm);
      const obj = vm.newObject(agreementClass(vm.api));
      obj.native = { alg: alg as number } satisfies AgreementState;
      return obj;
    },
    "<init>()V": () => {},
  },
};
