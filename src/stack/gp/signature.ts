/**
 * The asymmetric signatures GlobalPlatform uses for DAP blocks (GP 2.3.1
 * section C.2.2) and delegated-management tokens (C.3.2): RSA PKCS#1 v1.5
 * with SHA-1 or SHA-256 (keys of 1024 to 3072 bits), and ECDSA over P-256
 * with SHA-256 (amendment on ECC), whose signature travels as the raw
 * `r || s` (32 + 32 bytes), not DER. Keys are node:crypto KeyObjects; where
 * they come from (PEM files, PUT KEY components) is the caller's business.
 */
import { createPublicKey, sign, verify, type KeyObject } from "node:crypto";
import { FormatError, UsageError } from "../errors.ts";

/** Which signature scheme a key makes. */
export type SignatureScheme = "rsa-sha1" | "rsa-sha256" | "ecdsa-p256-sha256";

/** RSA modulus sizes GlobalPlatform DAP and token keys use (bits). */
export const RSA_BITS = { MIN: 1024, MAX: 3072 } as const;

const HASH: Readonly<Record<SignatureScheme, string>> = {
  "rsa-sha1": "sha1",
  "rsa-sha256": "sha256",
  "ecdsa-p256-sha256": "sha256",
};

/** The scheme a key makes (RSA with `rsaHash`); throws a UsageError for keys GlobalPlatform does not sign with. */
export function schemeFor(key: KeyObject, rsaHash: "sha1" | "sha256" = "sha256"): SignatureScheme {
  const type = key.asymmetricKeyType;
  if (type === "rsa") {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < RSA_BITS.MIN || bits > RSA_BITS.MAX) {
      throw new UsageError(`RSA key of ${bits} bits: GlobalPlatform signatures use ${RSA_BITS.MIN} to ${RSA_BITS.MAX} bits`);
    }
    return rsaHash === "sha1" ? "rsa-sha1" : "rsa-sha256";
  }
  if (type === "ec") {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve !== "prime256v1") throw new UsageError(`EC key on ${curve ?? "an unknown curve"}: use P-256 (prime256v1)`);
    return "ecdsa-p256-sha256";
  }
  throw new UsageError(`A ${type ?? "symmetric"} key cannot sign: use an RSA (1024-3072 bits) or EC P-256 key`);
}

/** Sign `message` (hashed by the scheme) with a private key. */
export function signMessage(scheme: SignatureScheme, privateKey: KeyObject, message: Uint8Array): Uint8Array {
  if (scheme === "ecdsa-p256-sha256") {
    return new Uint8Array(sign(HASH[scheme], message, { key: privateKey, dsaEncoding: "ieee-p1363" }));
  }
  return new Uint8Array(sign(HASH[scheme], message, privateKey));
}

/** Whether `signature` is a valid signature of `message` under a public key. */
export function verifyMessage(scheme: SignatureScheme, publicKey: KeyObject, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    if (scheme === "ecdsa-p256-sha256") {
      if (signature.length !== 64) return false;
      return verify(HASH[scheme], message, { key: publicKey, dsaEncoding: "ieee-p1363" }, signature);
    }
    return verify(HASH[scheme], message, publicKey, signature);
  } catch {
    // A malformed signature (wrong length for the modulus) is simply not valid.
    return false;
  }
}

/** An RSA public key from its modulus and exponent (PUT KEY components A1 and A0, GP 11.8.2.3). */
export function rsaPublicKey(modulus: Uint8Array, exponent: Uint8Array): KeyObject {
  const b64u = (b: Uint8Array) => Buffer.from(b).toString("base64url");
  const n = modulus[0] === 0 ? modulus.subarray(1) : modulus;
  try {
    return createPublicKey({ key: { kty: "RSA", n: b64u(n), e: b64u(exponent) }, format: "jwk" });
  } catch (error) {
    throw new FormatError("RSA public key components are not a valid key", modulus, { cause: error });
  }
}

/** A P-256 public key from its uncompressed point `04 || X || Y` (PUT KEY component B0). */
export function p256PublicKey(point: Uint8Array): KeyObject {
  if (point.length !== 65 || point[0] !== 0x04) throw new FormatError("A P-256 public key is 65 bytes starting 04 (uncompressed point)", point);
  const b64u = (b: Uint8Array) => Buffer.from(b).toString("base64url");
  try {
    return createPublicKey({
      key: { kty: "EC", crv: "P-256", x: b64u(point.subarray(1, 33)), y: b64u(point.subarray(33)) },
      format: "jwk",
    });
  } catch (error) {
    throw new FormatError("The EC point is not on P-256", point, { cause: error });
  }
}

/** The components a public key travels as: RSA modulus and exponent, or the EC point. */
export function publicKeyComponents(key: KeyObject): { rsa: { modulus: Uint8Array; exponent: Uint8Array } } | { ec: { point: Uint8Array } } {
  const jwk = key.export({ format: "jwk" });
  const bytes = (s: string | undefined) => new Uint8Array(Buffer.from(s ?? "", "base64url"));
  if (jwk.kty === "RSA") return { rsa: { modulus: bytes(jwk.n), exponent: bytes(jwk.e) } };
  if (jwk.kty === "EC" && jwk.crv === "P-256") {
    const point = new Uint8Array(65);
    point[0] = 0x04;
    point.set(bytes(jwk.x), 1);
    point.set(bytes(jwk.y), 33);
    return { ec: { point } };
  }
  throw new UsageError(`A ${jwk.kty} key cannot be put as a DAP or token key: use RSA or EC P-256`);
}
