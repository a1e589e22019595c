import { describe, expect, test } from "bun:test";
import { fromHex, toHex } from "../../bytes.ts";
import { FormatError } from "../../errors.ts";
import {
  CERT_USAGE,
  ChainError,
  issueCertificate,
  keyIdentifier,
  parseCertificate,
  splitCertificates,
  verifyChain,
  type CertificateFields,
} from "./certificate.ts";
import { CURVES, generateEcKey, type EcKey } from "./curves.ts";

// The SD's GP certificate of OpenSCP's SCP11a GP P-256 transcript (GET DATA BF21 answer).
const OPENSCP_STORE =
  "BF2181E57F2181E193146A994C23ECC7F71C16325F2CF93878D1B432708642149E216D9AEF4531670A5B83ADE5DED7FF6CD97B0F5F2014CD7B897E3C1BC6FFAC7F9595FB55AE66C3CE84AB950200805F2404141C0C1F7F4946B041044F92A07D168C309959EED99E288381DD192979CD452D8FBE1F163447979207C5E6CD1F4DD11609E2100C033BBD723BE78B71477E64883EB41EC366713E44AF1EF001005F3747304502210084BD2834015556ACF7920BF4D599578133AE55118894B0DCDC3EAB45BA0D3DE8022065025536025DE2A98D99758FA7A9E352A02AE3CF9B041BA90A0CE948F3FA6074";

describe("GP certificate format", () => {
  test("reads a published certificate store: identifiers, usage, date, key", () => {
    const [one, ...rest] = splitCertificates(fromHex(OPENSCP_STORE));
    expect(rest).toHaveLength(0);
    const c = parseCertificate(one!);
    expect(toHex(c.caKlocId)).toBe("9E216D9AEF4531670A5B83ADE5DED7FF6CD97B0F");
    expect(toHex(c.subjectId)).toBe("CD7B897E3C1BC6FFAC7F9595FB55AE66C3CE84AB");
    expect(toHex(c.keyUsage)).toBe("0080");
    // 14 1C 0C 1F: that issuer wrote each pair of digits in binary (2028-12-31), not BCD.
    expect(c.expiration.toISOString().slice(0, 10)).toBe("2028-12-31");
    expect(c.publicKey.curve.name).toBe("P-256");
    expect(toHex(c.publicKey.point).slice(0, 10)).toBe("044F92A07D");
    expect(c.signature[0]).toBe(0x30); // DER
  });

  const ca = generateEcKey(CURVES["P-384"]);
  const caId = keyIdentifier(ca);
  const leafKey = generateEcKey(CURVES["P-256"]);
  const now = new Date("2026-06-01T12:00:00Z");
  const fields = (over: Partial<CertificateFields> = {}): CertificateFields => ({
    serial: fromHex("0102030405060708"),
    caKlocId: caId,
    subjectId: keyIdentifier(leafKey),
    keyUsage: CERT_USAGE.KEY_AGREEMENT,
    effective: new Date("2026-01-01T00:00:00Z"),
    expiration: new Date("2027-12-31T00:00:00Z"),
    publicKey: { curve: leafKey.curve, point: leafKey.point },
    ...over,
  });
  const verify = (cert: Uint8Array, trusted: EcKey = ca) =>
    verifyChain([parseCertificate(cert)], { key: trusted, id: keyIdentifier(trusted) }, now);

  test("a certificate we issue parses back and verifies (BCD dates, r|s signature)", () => {
    const bytes = issueCertificate(fields(), ca);
    const c = parseCertificate(bytes);
    expect(toHex(bytes)).toContain("5F240420271231");
    expect(c.signature).toHaveLength(96);
    expect(verify(bytes).publicKey.point).toEqual(leafKey.point);
  });

  test("a chain CA -> intermediate -> leaf verifies; the leaf must be last", () => {
    const mid = generateEcKey(CURVES["P-256"]);
    const midCert = issueCertificate(
      fields({ subjectId: keyIdentifier(mid), keyUsage: CERT_USAGE.SIGNATURE_VERIFICATION, publicKey: { curve: mid.curve, point: mid.point } }),
      ca,
    );
    const leafCert = issueCertificate(fields({ caKlocId: keyIdentifier(mid) }), mid);
    const chain = [midCert, leafCert].map(parseCertificate);
    expect(verifyChain(chain, { key: ca, id: caId }, now).subjectId).toEqual(keyIdentifier(leafKey));
    expect(() => verifyChain([...chain].reverse(), { key: ca, id: caId }, now)).toThrow(ChainError);
  });

  const refusals: [string, () => Uint8Array, EcKey | undefined, string][] = [
    ["another CA", () => issueCertificate(fields(), ca), generateEcKey(CURVES["P-384"]), "issuer"],
    ["another CA's key under our CA's name", () => issueCertificate(fields(), generateEcKey(CURVES["P-384"])), undefined, "signature"],
    ["expired", () => issueCertificate(fields({ expiration: new Date("2026-05-31T00:00:00Z") }), ca), undefined, "expired"],
    ["not yet valid", () => issueCertificate(fields({ effective: new Date("2026-06-02T00:00:00Z") }), ca), undefined, "not-yet-valid"],
    ["wrong key usage", () => issueCertificate(fields({ keyUsage: CERT_USAGE.SIGNATURE_VERIFICATION }), ca), undefined, "usage"],
    [
      "altered after signing",
      () => {
        const b = issueCertificate(fields(), ca);
        b[12]! ^= 1; // inside the serial number
        return b;
      },
      undefined,
      "signature",
    ],
  ];
  test.each(refusals)("refused: %s", (_name, make, trusted, reason) => {
    try {
      verify(make(), trusted);
      throw new Error("accepted");
    } catch (e) {
      expect(e).toBeInstanceOf(ChainError);
      expect((e as ChainError).reason).toBe(reason as ChainError["reason"]);
      expect((e as Error).message).not.toContain("\n");
    }
  });

  test("bounded: oversized, truncated and foreign input is a FormatError", () => {
    expect(() => parseCertificate(new Uint8Array(5000))).toThrow(FormatError);
    expect(() => parseCertificate(fromHex("7F2181E19314"))).toThrow(FormatError);
    expect(() => splitCertificates(fromHex("BF21035A0100"))).toThrow(FormatError);
    expect(() => parseCertificate(fromHex(OPENSCP_STORE).slice(0, 100))).toThrow(FormatError);
  });
});
