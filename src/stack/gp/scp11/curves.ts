/**
 * The elliptic curves SCP11 may use (GP amendment F section 2.4; key
 * parameter references of GP 2.3.1 table B-2), their ECDH (ECKA-DH, BSI
 * TR-03111 4.3.1: the shared secret is the x coordinate) and ECDSA, on raw
 * keys: a private scalar `d` and an uncompressed point `04 | x | y`.
 *
 * brainpoolP256r1 (reference 03) is not offered: Bun's node:crypto is built
 * on BoringSSL, which has no brainpool curves (`crypto.getCurves()` lists
 * only prime256v1, secp384r1 and secp521r1), and we add no second crypto
 * library for one curve.
 */
import { X509Certificate, createECDH, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from "node:crypto";
import { concat, hexNumber } from "../../bytes.ts";
import { FormatError, UsageError } from "../../errors.ts";

export type CurveName = "P-256" | "P-384" | "P-521";

export interface Curve {
  readonly name: CurveName;
  /** OpenSSL / node:crypto name. */
  readonly node: string;
  /** Key Parameter Reference (GP 2.3.1 table B-2), tag F0 in a certificate's 7F49. */
  readonly parameterRef: number;
  /** Field size in bytes: x, y, d and each half of a signature. */
  readonly size: number;
  /** Hash for ECDSA with this curve (FIPS 186-4 pairing; amendment F 2.4). */
  readonly hash: "sha256" | "sha384" | "sha512";
}

export const CURVES: Readonly<Record<CurveName, Curve>> = {
  "P-256": { name: "P-256", node: "prime256v1", parameterRef: 0x00, size: 32, hash: "sha256" },
  "P-384": { name: "P-384", node: "secp384r1", parameterRef: 0x01, size: 48, hash: "sha384" },
  "P-521": { name: "P-521", node: "secp521r1", parameterRef: 0x02, size: 66, hash: "sha512" },
};

/** Key Parameter Reference 03: known, refused with a reason. */
const BRAINPOOL_P256R1 = 0x03;

/** An EC key: always the public point, the private scalar when we hold it. */
export interface EcKey {
  readonly curve: Curve;
  /** Uncompressed point 04 | x | y. */
  readonly point: Uint8Array;
  readonly d?: Uint8Array;
}

/** The curve of a Key Parameter Reference. */
export function curveByParameterRef(ref: number): Curve {
  const c = Object.values(CURVES).find((x) => x.parameterRef === ref);
  if (c) return c;
  if (ref === BRAINPOOL_P256R1) throw new UsageError("brainpoolP256r1 keys are not supported: this build's crypto library has no brainpool curves");
  throw new FormatError(`Unknown key parameter reference ${hexNumber(ref)}`);
}

/** The curve whose uncompressed points are `length` bytes long. */
export function curveByPointLength(length: number): Curve {
  const c = Object.values(CURVES).find((x) => 1 + 2 * x.size === length);
  if (!c) throw new FormatError(`An EC point of ${length} bytes is not P-256, P-384 or P-521 uncompressed`);
  return c;
}

/** A curve by name ("P-256", "p384", "secp521r1", ...). */
export function curveByName(name: string): Curve {
  const n = name.toUpperCase().replace(/^SECP(\d+)R1$/, "P-$1").replace(/^PRIME256V1$/, "P-256").replace(/^P(\d)/, "P-$1");
  const c = (CURVES as Record<string, Curve>)[n];
  if (!c) throw new UsageError(`Unknown curve '${name}': use P-256, P-384 or P-521`);
  return c;
}

/** A fresh key pair (ephemeral keys of the handshake, or new static keys). */
export function generateEcKey(curve: Curve): EcKey & { d: Uint8Array } {
  const ecdh = createECDH(curve.node);
  ecdh.generateKeys();
  return { curve, point: new Uint8Array(ecdh.getPublicKey()), d: leftPad(new Uint8Array(ecdh.getPrivateKey()), curve.size) };
}

/** ECKA-DH: the x coordinate of d * Q (BSI TR-03111 4.3.1), `size` bytes; throws when Q is not on the curve. */
export function ecdh(curve: Curve, d: Uint8Array, point: Uint8Array): Uint8Array {
  checkPoint(curve, point);
  const ecdh = createECDH(curve.node);
  ecdh.setPrivateKey(d);
  try {
    return leftPad(new Uint8Array(ecdh.computeSecret(point)), curve.size);
  } catch (cause) {
    throw new FormatError(`The ${curve.name} public key is not a point on the curve`, point, { cause });
  }
}

/** Throw a FormatError unless `point` is an uncompressed point of `curve`'s length. */
export function checkPoint(curve: Curve, point: Uint8Array): void {
  if (point.length !== 1 + 2 * curve.size || point[0] !== 0x04) {
    throw new FormatError(`Not an uncompressed ${curve.name} point (${point.length} bytes)`, point.subarray(0, 8));
  }
}

function b64u(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64url");
}

function unb64u(text: string | undefined, size: number): Uint8Array {
  return leftPad(new Uint8Array(Buffer.from(text ?? "", "base64url")), size);
}

function leftPad(bytes: Uint8Array, size: number): Uint8Array {
  if (bytes.length >= size) return bytes;
  const out = new Uint8Array(size);
  out.set(bytes, size - bytes.length);
  return out;
}

function jwk(key: EcKey, withPrivate: boolean): JsonWebKey {
  const s = key.curve.size;
  const base = { kty: "EC", crv: key.curve.name, x: b64u(key.point.subarray(1, 1 + s)), y: b64u(key.point.subarray(1 + s)) };
  if (!withPrivate) return base;
  if (!key.d) throw new RangeError("Private key needed");
  return { ...base, d: b64u(key.d) };
}

/** The public key as a node:crypto KeyObject (to verify X.509 signatures with it). */
export function publicKeyObject(key: EcKey): KeyObject {
  return keyObject(key, false);
}

function keyObject(key: EcKey, withPrivate: boolean): KeyObject {
  return withPrivate
    ? createPrivateKey({ key: jwk(key, true), format: "jwk" })
    : createPublicKey({ key: jwk(key, false), format: "jwk" });
}

/** ECDSA signature r | s (each `size` bytes) over `data` with the curve's hash. */
export function ecdsaSign(key: EcKey, data: Uint8Array): Uint8Array {
  return new Uint8Array(sign(key.curve.hash, data, { key: keyObject(key, true), dsaEncoding: "ieee-p1363" }));
}

/** Verify an ECDSA signature given as r | s or DER (`30 ...`). */
export function ecdsaVerify(key: EcKey, data: Uint8Array, signature: Uint8Array): boolean {
  const plain = signature.length === 2 * key.curve.size;
  try {
    return verify(key.curve.hash, data, { key: keyObject(key, false), dsaEncoding: plain ? "ieee-p1363" : "der" }, signature);
  } catch {
    return false;
  }
}

/** The key in a PEM text (PKCS#8, SEC 1 "EC PRIVATE KEY" or SubjectPublicKeyInfo); `what` names it in errors. */
export function parseEcKeyPem(text: string, what: string): EcKey {
  let obj: KeyObject;
  try {
    obj = text.includes("PRIVATE KEY") ? createPrivateKey(text) : createPublicKey(text);
  } catch (cause) {
    throw new UsageError(`${what} is not a PEM EC key: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
  const j = obj.export({ format: "jwk" });
  if (j.kty !== "EC") throw new UsageError(`${what} is a ${j.kty} key, not an EC key`);
  const curve = curveByName(String(j.crv));
  const point = concat(0x04, unb64u(j.x, curve.size), unb64u(j.y, curve.size));
  return j.d ? { curve, point, d: unb64u(j.d, curve.size) } : { curve, point };
}

/** PEM of the key: PKCS#8 when it holds the private scalar, SubjectPublicKeyInfo otherwise. */
export function ecKeyPem(key: EcKey): string {
  return key.d
    ? String(keyObject(key, true).export({ format: "pem", type: "pkcs8" }))
    : String(keyObject(key, false).export({ format: "pem", type: "spki" }));
}

/** The public point of an X.509 certificate's EC key (DER), for cards that offer X.509 instead of GP certificates. */
export function x509PublicKey(der: Uint8Array): EcKey {
  let obj: KeyObject;
  try {
    obj = new X509Certificate(Buffer.from(der)).publicKey;
  } catch (cause) {
    throw new FormatError("Not a DER X.509 certificate", der.subarray(0, 8), { cause });
  }
  const j = obj.export({ format: "jwk" });
  if (j.kty !== "EC") throw new FormatError(`The X.509 certificate holds a ${j.kty} key, not an EC key`);
  const curve = curveByName(String(j.crv));
  return { curve, point: concat(0x04, unb64u(j.x, curve.size), unb64u(j.y, curve.size)) };
}
