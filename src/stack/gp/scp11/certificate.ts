/**
 * The GlobalPlatform certificate of SCP11 (GP amendment F section 6.1.2,
 * after the card-verifiable certificates of BSI TR-03110):
 *
 *   7F21 L
 *     93 L serial number
 *     42 L CA-KLOC identifier (who signed it: the issuer's subject identifier)
 *     5F20 L subject identifier
 *     95 L key usage (0080 key agreement, 82 signature verification)
 *     [5F25 04 effective date YYYYMMDD, BCD]
 *     5F24 04 expiration date YYYYMMDD, BCD
 *     [53 L discretionary data | 73 L constructed discretionary data]
 *     [BF20 L authorizations]
 *     7F49 L { B0 L public point 04|x|y, F0 01 key parameter reference }
 *     5F37 L signature (ECDSA over every TLV above, in order)
 *
 * Signatures are written as r | s (as TR-03110 does); signatures in DER,
 * as some issuers write them, are accepted when reading.
 */
import { createHash } from "node:crypto";
import { concat, hexNumber, toHex } from "../../bytes.ts";
import { FormatError } from "../../errors.ts";
import { encodeTlv, parseTlvs, readHeader, type Tlv } from "../../tlv.ts";
import { checkPoint, curveByParameterRef, ecdsaSign, ecdsaVerify, type EcKey } from "./curves.ts";

export const CERT_TAG = {
  STORE: 0xbf21,
  CERTIFICATE: 0x7f21,
  SERIAL: 0x93,
  CA_KLOC_ID: 0x42,
  SUBJECT_ID: 0x5f20,
  KEY_USAGE: 0x95,
  EFFECTIVE: 0x5f25,
  EXPIRATION: 0x5f24,
  DISCRETIONARY: 0x53,
  DISCRETIONARY_CONSTRUCTED: 0x73,
  AUTHORIZATIONS: 0xbf20,
  PUBLIC_KEY: 0x7f49,
  POINT: 0xb0,
  PARAMETER_REF: 0xf0,
  SIGNATURE: 0x5f37,
} as const;

/** Key usage of a certificate's key (amendment F table 6-13; bits as ISO 7816 / X.509 key usage). */
export const CERT_USAGE = {
  /** The key is an ECKA key for the SCP11 key agreement (PK.SD.ECKA, PK.OCE.ECKA). */
  KEY_AGREEMENT: Uint8Array.of(0x00, 0x80),
  /** The key verifies signatures: a CA-KLOC or an intermediate certificate. */
  SIGNATURE_VERIFICATION: Uint8Array.of(0x82),
} as const;

/** Bounds on what a certificate may hold before we parse further (outside input). */
const MAX_CERTIFICATE = 2048;
const MAX_CHAIN = 8;

export interface GpCertificate {
  readonly serial: Uint8Array;
  readonly caKlocId: Uint8Array;
  readonly subjectId: Uint8Array;
  readonly keyUsage: Uint8Array;
  /** UTC midnight of the first valid day, when given. */
  readonly effective?: Date;
  /** UTC end of the last valid day. */
  readonly expiration: Date;
  readonly discretionary?: Uint8Array;
  readonly publicKey: EcKey;
  readonly signature: Uint8Array;
  /** The bytes the signature covers: every TLV before 5F37. */
  readonly signed: Uint8Array;
  /** The whole 7F21 TLV. */
  readonly encoded: Uint8Array;
}

/** The fields a CA fills in to issue a certificate. */
export interface CertificateFields {
  serial: Uint8Array;
  caKlocId: Uint8Array;
  subjectId: Uint8Array;
  keyUsage: Uint8Array;
  effective?: Date;
  expiration: Date;
  discretionary?: Uint8Array;
  publicKey: EcKey;
}

/** YYYYMMDD in BCD (4 bytes). */
function bcdDate(date: Date): Uint8Array {
  const digits = date.toISOString().slice(0, 10).replaceAll("-", "");
  return Uint8Array.from({ length: 4 }, (_, i) => parseInt(digits.slice(2 * i, 2 * i + 2), 16));
}

/** Read YYYYMMDD: BCD as the spec says; bytes that are not BCD are read as one binary number per pair, as some issuers write them. */
function readDate(bytes: Uint8Array, what: string, endOfDay: boolean): Date {
  if (bytes.length !== 4) throw new FormatError(`Certificate ${what} must be 4 bytes (YYYYMMDD)`, bytes);
  const bcd = [...bytes].every((b) => (b >> 4) <= 9 && (b & 0x0f) <= 9);
  const pairs = [...bytes].map((b) => (bcd ? (b >> 4) * 10 + (b & 0x0f) : b));
  const [cc, yy, mm, dd] = pairs as [number, number, number, number];
  const year = cc * 100 + yy;
  if (mm < 1 || mm > 12 || dd < 1 || dd > 31) throw new FormatError(`Certificate ${what} is not a date`, bytes);
  return new Date(Date.UTC(year, mm - 1, dd, endOfDay ? 23 : 0, endOfDay ? 59 : 0, endOfDay ? 59 : 0));
}

/** The TLVs a certificate is signed over, in the order of the layout above. */
function bodyTlvs(f: CertificateFields): Uint8Array[] {
  const key = encodeTlv(
    CERT_TAG.PUBLIC_KEY,
    encodeTlv(CERT_TAG.POINT, f.publicKey.point),
    encodeTlv(CERT_TAG.PARAMETER_REF, Uint8Array.of(f.publicKey.curve.parameterRef)),
  );
  return [
    encodeTlv(CERT_TAG.SERIAL, f.serial),
    encodeTlv(CERT_TAG.CA_KLOC_ID, f.caKlocId),
    encodeTlv(CERT_TAG.SUBJECT_ID, f.subjectId),
    encodeTlv(CERT_TAG.KEY_USAGE, f.keyUsage),
    ...(f.effective ? [encodeTlv(CERT_TAG.EFFECTIVE, bcdDate(f.effective))] : []),
    encodeTlv(CERT_TAG.EXPIRATION, bcdDate(f.expiration)),
    ...(f.discretionary ? [encodeTlv(CERT_TAG.DISCRETIONARY, f.discretionary)] : []),
    key,
  ];
}

/** Issue a certificate: the fields signed with the CA's private key. */
export function issueCertificate(fields: CertificateFields, ca: EcKey): Uint8Array {
  const body = concat(...bodyTlvs(fields));
  return encodeTlv(CERT_TAG.CERTIFICATE, body, encodeTlv(CERT_TAG.SIGNATURE, ecdsaSign(ca, body)));
}

/** The identifier of a key: SHA-1 of its point (as X.509's subject key identifier, RFC 5280 4.2.1.2 method 1). */
export function keyIdentifier(key: EcKey): Uint8Array {
  return new Uint8Array(createHash("sha1").update(key.point).digest());
}

function need(tlvs: readonly Tlv[], tag: number, what: string): Uint8Array {
  const t = tlvs.find((x) => x.tag === tag);
  if (!t) throw new FormatError(`Certificate has no ${what} (tag ${hexNumber(tag)})`);
  return t.value;
}

/** Parse one 7F21 certificate. */
export function parseCertificate(encoded: Uint8Array): GpCertificate {
  if (encoded.length > MAX_CERTIFICATE) throw new FormatError(`Certificate of ${encoded.length} bytes is larger than ${MAX_CERTIFICATE}`);
  const h = readHeader(encoded, 0);
  if (h.tag !== CERT_TAG.CERTIFICATE) throw new FormatError(`Not a GP certificate (tag ${hexNumber(h.tag)}, expected 7F21)`, encoded.subarray(0, 4));
  const inner = encoded.subarray(h.valueOffset, h.valueOffset + h.length);
  const tlvs = parseTlvs(inner);
  // The signed part ends where 5F37 starts.
  let offset = 0;
  for (const t of tlvs) {
    if (t.tag === CERT_TAG.SIGNATURE) break;
    offset = t.value.byteOffset - inner.byteOffset + t.value.length;
  }
  const keyTlvs = parseTlvs(need(tlvs, CERT_TAG.PUBLIC_KEY, "public key"));
  const curve = curveByParameterRef(need(keyTlvs, CERT_TAG.PARAMETER_REF, "key parameter reference")[0] ?? 0xff);
  const point = need(keyTlvs, CERT_TAG.POINT, "public point").slice();
  checkPoint(curve, point);
  const effective = tlvs.find((t) => t.tag === CERT_TAG.EFFECTIVE);
  const discretionary = tlvs.find((t) => t.tag === CERT_TAG.DISCRETIONARY || t.tag === CERT_TAG.DISCRETIONARY_CONSTRUCTED);
  return {
    serial: need(tlvs, CERT_TAG.SERIAL, "serial number").slice(),
    caKlocId: need(tlvs, CERT_TAG.CA_KLOC_ID, "CA-KLOC identifier").slice(),
    subjectId: need(tlvs, CERT_TAG.SUBJECT_ID, "subject identifier").slice(),
    keyUsage: need(tlvs, CERT_TAG.KEY_USAGE, "key usage").slice(),
    ...(effective ? { effective: readDate(effective.value, "effective date", false) } : {}),
    expiration: readDate(need(tlvs, CERT_TAG.EXPIRATION, "expiration date"), "expiration date", true),
    ...(discretionary ? { discretionary: discretionary.value.slice() } : {}),
    publicKey: { curve, point },
    signature: need(tlvs, CERT_TAG.SIGNATURE, "signature").slice(),
    signed: inner.slice(0, offset),
    encoded: encoded.slice(0, h.valueOffset + h.length),
  };
}

/** X.509 certificates in a store start with a DER SEQUENCE. */
export const X509_TAG = 0x30;

/** Split a certificate store (BF21, or a bare sequence of 7F21 / X.509 DER) into encoded certificates, CA side first. */
export function splitCertificates(bytes: Uint8Array): Uint8Array[] {
  let tlvs = parseTlvs(bytes);
  const store = tlvs.find((t) => t.tag === CERT_TAG.STORE);
  if (store) tlvs = parseTlvs(store.value);
  if (tlvs.length > MAX_CHAIN) throw new FormatError(`Certificate chain of ${tlvs.length} certificates is longer than ${MAX_CHAIN}`);
  for (const t of tlvs) {
    if (t.tag !== CERT_TAG.CERTIFICATE && t.tag !== X509_TAG) {
      throw new FormatError(`Certificate store holds tag ${hexNumber(t.tag)}, neither a GP certificate (7F21) nor X.509 (30)`);
    }
  }
  return tlvs.map((t) => encodeTlv(t.tag, t.value));
}

export type ChainFailure = "signature" | "issuer" | "expired" | "not-yet-valid" | "usage";

/** Why a chain was refused, in one line. */
export class ChainError extends FormatError {
  override readonly name = "ChainError";
  constructor(
    readonly reason: ChainFailure,
    message: string,
  ) {
    super(message);
  }
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function describe(c: GpCertificate): string {
  return `certificate ${toHex(c.subjectId).slice(0, 16)}`;
}

/**
 * Verify a chain against the trusted CA-KLOC public key (amendment F 3.1.2):
 * each certificate signed by the key before it, issuer identifiers linked,
 * every one within its dates at `now`, intermediates for signature
 * verification, the last one an ECKA key. Returns the last certificate.
 */
export function verifyChain(chain: readonly GpCertificate[], ca: { key: EcKey; id: Uint8Array }, now: Date): GpCertificate {
  if (chain.length === 0) throw new ChainError("issuer", "The certificate chain is empty");
  let issuerKey = ca.key;
  let issuerId = ca.id;
  chain.forEach((c, index) => {
    const last = index === chain.length - 1;
    if (!same(c.caKlocId, issuerId)) {
      throw new ChainError("issuer", `The ${describe(c)} was issued by CA ${toHex(c.caKlocId).slice(0, 16)}, not by the trusted CA ${toHex(issuerId).slice(0, 16)}`);
    }
    if (!ecdsaVerify(issuerKey, c.signed, c.signature)) {
      throw new ChainError("signature", `The ${describe(c)}'s signature does not verify with the trusted CA's key`);
    }
    if (c.expiration.getTime() < now.getTime()) {
      throw new ChainError("expired", `The ${describe(c)} expired on ${c.expiration.toISOString().slice(0, 10)}`);
    }
    if (c.effective && c.effective.getTime() > now.getTime()) {
      throw new ChainError("not-yet-valid", `The ${describe(c)} is valid only from ${c.effective.toISOString().slice(0, 10)}`);
    }
    const usage = last ? CERT_USAGE.KEY_AGREEMENT : CERT_USAGE.SIGNATURE_VERIFICATION;
    if (!same(c.keyUsage, usage)) {
      throw new ChainError(
        "usage",
        `The ${describe(c)} has key usage ${toHex(c.keyUsage)}, not ${toHex(usage)} (${last ? "key agreement" : "signature verification"})`,
      );
    }
    issuerKey = c.publicKey;
    issuerId = c.subjectId;
  });
  return chain[chain.length - 1]!;
}
