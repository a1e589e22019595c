/** The natives of RSAPublicKey, RSAPrivateKey (modulus, exponent) and RSAPrivateCrtKey (P, Q, DP1, DQ1, PQ), JC API 3.0.5. */
import { getter, halfBits, halfBytes, KEY_COMMON, keyBits, keyBytes, setter } from "./key-parts.ts";
import type { NativeTable } from "./native.ts";

export const RSA_NATIVES: NativeTable = {
  ...KEY_COMMON,
  "setModulus([BSS)V": setter("modulus", keyBits),
  "setExponent([BSS)V": setter("exponent", keyBits),
  "getModulus([BS)S": getter("modulus", keyBytes),
  "getExponent([BS)S": getter("exponent", () => undefined),
};

export const RSA_CRT_NATIVES: NativeTable = {
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
