/**
 * The javacard.security.Signature algorithms the card implements (JC API
 * 3.0.5 Signature.ALG_*), what each computes, and the MACs themselves:
 * DES CBC-MACs (single DES or triple DES in outer CBC, ISO/IEC 9797-1 MAC
 * algorithm 1; MAC algorithm 3 for the _ALG3 forms) with no, ISO 9797-1
 * method 1 or 2, or PKCS#5 padding; the AES CBC-MAC and AES-CMAC; HMAC.
 * RSA and ECDSA signatures are in signature.ts.
 */
import { createHmac } from "node:crypto";
import { aesCbcEncrypt } from "../../../stack/crypto/aes.ts";
import { aesCmac } from "../../../stack/crypto/cmac.ts";
import { desCbcEncrypt, desEcbDecrypt, desEcbEncrypt, tdesCbcEncrypt } from "../../../stack/crypto/des.ts";

export type Padding = "none" | "m1" | "m2" | "pkcs5";

export type SigAlgorithm =
  | { kind: "des-mac"; length: 4 | 8; pad: Padding; alg3: boolean }
  | { kind: "aes-mac"; length: 16 }
  | { kind: "aes-cmac"; length: 16 }
  | { kind: "hmac"; hash: string; length: number }
  | { kind: "rsa"; hash: string; length: number }
  | { kind: "ecdsa"; hash: string; length: number };

/** [MessageDigest.ALG_*, Signature.SIG_CIPHER_*, Cipher.PAD_*] of an algorithm, as getInstance(BBBZ) and the getters name them. */
export type SigParts = readonly [number, number, number];

const des = (length: 4 | 8, pad: Padding, alg3 = false): SigAlgorithm => ({ kind: "des-mac", length, pad, alg3 });

/** Signature.ALG_* → algorithm and its [digest, cipher, padding] parts. */
export const SIG_ALGORITHMS: Readonly<Record<number, { alg: SigAlgorithm; parts: SigParts }>> = {
  1: { alg: des(4, "none"), parts: [0, 1, 1] },
  2: { alg: des(8, "none"), parts: [0, 2, 1] },
  3: { alg: des(4, "m1"), parts: [0, 1, 2] },
  4: { alg: des(8, "m1"), parts: [0, 2, 2] },
  5: { alg: des(4, "m2"), parts: [0, 1, 3] },
  6: { alg: des(8, "m2"), parts: [0, 2, 3] },
  7: { alg: des(4, "pkcs5"), parts: [0, 1, 6] },
  8: { alg: des(8, "pkcs5"), parts: [0, 2, 6] },
  19: { alg: des(4, "m2", true), parts: [0, 1, 5] },
  20: { alg: des(8, "m2", true), parts: [0, 2, 5] },
  47: { alg: des(4, "m1", true), parts: [0, 1, 4] },
  48: { alg: des(8, "m1", true), parts: [0, 2, 4] },
  18: { alg: { kind: "aes-mac", length: 16 }, parts: [0, 6, 1] },
  49: { alg: { kind: "aes-cmac", length: 16 }, parts: [0, 10, 0] },
  24: { alg: { kind: "hmac", hash: "sha1", length: 20 }, parts: [1, 7, 0] },
  25: { alg: { kind: "hmac", hash: "sha256", length: 32 }, parts: [4, 7, 0] },
  26: { alg: { kind: "hmac", hash: "sha384", length: 48 }, parts: [5, 7, 0] },
  27: { alg: { kind: "hmac", hash: "sha512", length: 64 }, parts: [6, 7, 0] },
  28: { alg: { kind: "hmac", hash: "md5", length: 16 }, parts: [2, 7, 0] },
  29: { alg: { kind: "hmac", hash: "ripemd160", length: 20 }, parts: [3, 7, 0] },
  10: { alg: { kind: "rsa", hash: "sha1", length: 20 }, parts: [1, 3, 7] },
  11: { alg: { kind: "rsa", hash: "md5", length: 16 }, parts: [2, 3, 7] },
  13: { alg: { kind: "rsa", hash: "ripemd160", length: 20 }, parts: [3, 3, 7] },
  39: { alg: { kind: "rsa", hash: "sha224", length: 28 }, parts: [7, 3, 7] },
  40: { alg: { kind: "rsa", hash: "sha256", length: 32 }, parts: [4, 3, 7] },
  41: { alg: { kind: "rsa", hash: "sha384", length: 48 }, parts: [5, 3, 7] },
  42: { alg: { kind: "rsa", hash: "sha512", length: 64 }, parts: [6, 3, 7] },
  17: { alg: { kind: "ecdsa", hash: "sha1", length: 20 }, parts: [1, 5, 0] },
  37: { alg: { kind: "ecdsa", hash: "sha224", length: 28 }, parts: [7, 5, 0] },
  33: { alg: { kind: "ecdsa", hash: "sha256", length: 32 }, parts: [4, 5, 0] },
  34: { alg: { kind: "ecdsa", hash: "sha384", length: 48 }, parts: [5, 5, 0] },
  38: { alg: { kind: "ecdsa", hash: "sha512", length: 64 }, parts: [6, 5, 0] },
};

/** The algorithm of getInstance(messageDigestAlgorithm, cipherAlgorithm, paddingAlgorithm, ...), if the card has it. */
export function algorithmOfParts(digest: number, cipher: number, padding: number): number | undefined {
  for (const [alg, a] of Object.entries(SIG_ALGORITHMS)) if (a.parts[0] === digest && a.parts[1] === cipher && a.parts[2] === padding) return Number(alg);
  return undefined;
}

/** The padded data, or undefined when "none" and not whole blocks (the caller throws ILLEGAL_USE). */
export function pad(data: Uint8Array, padding: Padding, block: number): Uint8Array | undefined {
  switch (padding) {
    case "none":
      return data.length % block === 0 ? data : undefined;
    case "m1": {
      // ISO/IEC 9797-1 method 1: zeros to a whole block; an empty message becomes one zero block.
      const n = data.length === 0 ? block : Math.ceil(data.length / block) * block;
      const out = new Uint8Array(n);
      out.set(data);
      return out;
    }
    case "m2": {
      const out = new Uint8Array((Math.floor(data.length / block) + 1) * block);
      out.set(data);
      out[data.length] = 0x80;
      return out;
    }
    default: {
      const n = block - (data.length % block);
      return new Uint8Array([...data, ...new Array<number>(n).fill(n)]);
    }
  }
}

/** The full DES CBC-MAC block (MAC algorithm 1, or 3 for `alg3`) of padded data. */
export function desMac(key: Uint8Array, padded: Uint8Array, iv: Uint8Array, alg3: boolean): Uint8Array | undefined {
  if (!alg3) {
    const out = key.length === 8 ? desCbcEncrypt(key, padded, iv) : tdesCbcEncrypt(key, padded, iv);
    return out.slice(out.length - 8);
  }
  // ISO/IEC 9797-1 MAC algorithm 3: single DES CBC under K1, then decrypt K2 and encrypt K1 (K3 for a 3-key key).
  if (key.length === 8) return undefined;
  const chain = desCbcEncrypt(key.subarray(0, 8), padded, iv);
  const last = chain.subarray(chain.length - 8);
  const k3 = key.length === 24 ? key.subarray(16, 24) : key.subarray(0, 8);
  return desEcbEncrypt(k3, desEcbDecrypt(key.subarray(8, 16), last));
}

/** The AES CBC-MAC block of whole blocks. */
export function aesMac(key: Uint8Array, data: Uint8Array, iv: Uint8Array): Uint8Array {
  const out = aesCbcEncrypt(key, data, iv);
  return out.slice(out.length - 16);
}

export function cmac(key: Uint8Array, data: Uint8Array): Uint8Array {
  return aesCmac(key, data);
}

export function hmac(hash: string, key: Uint8Array, data: Uint8Array): Uint8Array {
  return new Uint8Array(createHmac(hash, key).update(data).digest());
}
