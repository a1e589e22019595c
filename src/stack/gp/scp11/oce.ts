/**
 * An OCE key pair and its certificate, issued by a CA-KLOC key: what
 * `webcard keys generate-oce` writes for tests and first provisioning.
 */
import { CERT_USAGE, issueCertificate, keyIdentifier } from "./certificate.ts";
import { generateEcKey, type Curve, type EcKey } from "./curves.ts";

const DAY_MS = 24 * 3600 * 1000;

export interface OceRequest {
  ca: EcKey & { d: Uint8Array };
  /** Default: the CA's curve. */
  curve?: Curve;
  /** Days of validity from `now` (default 365); negative makes an expired certificate (tests). */
  days?: number;
  /** Default: key agreement (0080). */
  keyUsage?: Uint8Array;
  now?: Date;
}

/** A fresh SK.OCE.ECKA and its GP certificate signed by the CA. */
export function generateOce(r: OceRequest): { key: EcKey & { d: Uint8Array }; certificate: Uint8Array } {
  const key = generateEcKey(r.curve ?? r.ca.curve);
  const now = r.now ?? new Date();
  const days = r.days ?? 365;
  const certificate = issueCertificate(
    {
      serial: crypto.getRandomValues(new Uint8Array(16)),
      caKlocId: keyIdentifier(r.ca),
      subjectId: keyIdentifier(key),
      keyUsage: r.keyUsage ?? CERT_USAGE.KEY_AGREEMENT,
      effective: new Date(Math.min(now.getTime(), now.getTime() + days * DAY_MS) - DAY_MS),
      expiration: new Date(now.getTime() + days * DAY_MS),
      publicKey: { curve: key.curve, point: key.point },
    },
    r.ca,
  );
  return { key, certificate };
}
