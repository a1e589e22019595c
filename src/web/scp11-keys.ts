/**
 * The dashboard's SCP11 choice (GP amendment F): 11b with no key of ours,
 * 11a and 11c with the OCE's private key and certificate uploaded from the
 * key form, S8 or S16, and optionally the CA key the card's certificate must
 * chain to. The uploads stay in this process's memory (KeyStore) and are
 * never written, logged or sent back: the page gets fingerprints only.
 */
import { FormatError, UsageError } from "../stack/errors.ts";
import { parseCertificate, splitCertificates } from "../stack/gp/scp11/certificate.ts";
import { parseEcKeyPem, type EcKey } from "../stack/gp/scp11/curves.ts";
import { fingerprint } from "../stack/gp/scp11/fingerprint.ts";
import type { Scp11Variant } from "../stack/gp/scp11/handshake.ts";

/** A PEM key file is a few hundred bytes; anything past this is not one. */
const MAX_PEM = 16 * 1024;
/** An OCE chain of up to four GP certificates (4 KB), in base64. */
const MAX_CERT_BASE64 = Math.ceil(4096 / 3) * 4;

/** What a dashboard session uses for SCP11. */
export interface Scp11SessionKeys {
  variant: Scp11Variant;
  macLength: 8 | 16;
  /** SK.OCE.ECKA and its certificate chain (CA side first), for 11a and 11c. */
  oce?: { key: EcKey; certificates: Uint8Array[] };
  /** The CA key the card's certificate must chain to; without it the card's key is used unverified. */
  ca?: EcKey;
}

/** The form's SCP11 fields: the PEM files as text, the certificate file in base64, S16 as a checkbox. */
export interface Scp11Form {
  scp: string;
  s16?: string | undefined;
  oceKey?: string | undefined;
  oceCert?: string | undefined;
  caKey?: string | undefined;
}

function pem(text: string | undefined, what: string): EcKey | undefined {
  if (text === undefined || text.trim() === "") return undefined;
  if (text.length > MAX_PEM) throw new UsageError(`The ${what} file is ${text.length} bytes, too large for a PEM key: choose the key file`);
  return parseEcKeyPem(text, `The ${what} file`);
}

function certificates(base64: string | undefined): Uint8Array[] {
  const text = (base64 ?? "").replace(/\s+/g, "");
  if (text === "") return [];
  if (text.length > MAX_CERT_BASE64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) {
    throw new UsageError("The OCE certificate file is not a GP certificate (7F21) of at most 4 KB: choose the file webcard keys generate-oce wrote");
  }
  try {
    const certs = splitCertificates(new Uint8Array(Buffer.from(text, "base64")));
    for (const c of certs) parseCertificate(c);
    if (certs.length === 0) throw new FormatError("no certificate");
    return certs;
  } catch (error) {
    if (error instanceof FormatError) throw new UsageError(`The OCE certificate file is not a GP certificate (7F21): ${error.message}`, { cause: error });
    throw error;
  }
}

/** The SCP11 keys of the key form; one line saying what is missing or wrong. */
export function scp11KeysFromForm(form: Scp11Form): Scp11SessionKeys {
  const m = /^11([abc])$/.exec(form.scp);
  if (!m) throw new UsageError(`Unknown secure channel '${form.scp}': use 02, 03, 11a, 11b or 11c`);
  const variant = m[1] as Scp11Variant;
  const macLength = form.s16 === "on" || form.s16 === "true" ? 16 : 8;
  const ca = pem(form.caKey, "CA key");
  const key = pem(form.oceKey, "OCE key");
  const certs = certificates(form.oceCert);
  const base = { variant, macLength, ...(ca ? { ca: { curve: ca.curve, point: ca.point } } : {}) } as const;
  if (variant === "b") {
    if (key || certs.length) throw new UsageError("SCP11b authenticates the card only: leave the OCE key and certificate empty, or choose SCP11a");
    return base;
  }
  if (!key || certs.length === 0) throw new UsageError(`SCP11${variant} needs the OCE's private key (PEM) and its certificate: choose both files`);
  if (!key.d) throw new UsageError("The OCE key file holds no private key: choose the OCE's private key");
  return { ...base, oce: { key, certificates: certs } };
}

/** What the page shows of an SCP11 session's keys: fingerprints, never keys. */
export function scp11Summary(k: Scp11SessionKeys): string {
  const parts = [`SCP11${k.variant} S${k.macLength}`];
  parts.push(k.oce ? `OCE key ${k.oce.key.curve.name} ${fingerprint(k.oce.key.point)} with ${k.oce.certificates.length} certificate${k.oce.certificates.length === 1 ? "" : "s"}` : "no key of ours");
  parts.push(k.ca ? `card checked against CA ${fingerprint(k.ca.point)}` : "card key not verified (no CA key)");
  return parts.join(", ");
}
