/**
 * The simulated card's SCP11 material (GP amendment F section 6.1): the
 * ISD's ECKA key pair (KID 11/13/15 by variant, one KVN), its certificate
 * chain, and the CA-KLOC public key that OCE certificates must chain to.
 * Kept in the card memory as one TLV record, written at personalisation.
 *
 *   C0 02 KVN, S8/S16 MAC length     C1 L variants ("a", "b", "c")
 *   C2 01 key parameter reference    C3 L d      C4 L PK.SD point
 *   C5 L certificate chain (7F21...)
 *   C6 01 CA key parameter reference C7 L CA-KLOC point  C8 L CA-KLOC identifier
 */
import { concat } from "../../stack/bytes.ts";
import { encodeTlv, parseTlvs } from "../../stack/tlv.ts";
import { CERT_USAGE, issueCertificate, keyIdentifier } from "../../stack/gp/scp11/certificate.ts";
import { curveByParameterRef, generateEcKey, type Curve, type EcKey } from "../../stack/gp/scp11/curves.ts";
import type { Scp11CardKeys } from "../../stack/gp/scp11/card.ts";
import type { Scp11Variant } from "../../stack/gp/scp11/handshake.ts";

/** Key version number of the factory SCP11 key. */
export const SCP11_FACTORY_KVN = 0x01;
const YEAR_MS = 365.25 * 24 * 3600 * 1000;

export function encodeScp11Keys(k: Scp11CardKeys): Uint8Array {
  return concat(
    encodeTlv(0xc0, Uint8Array.of(k.kvn, k.macLength)),
    encodeTlv(0xc1, new TextEncoder().encode(k.variants.join(""))),
    encodeTlv(0xc2, Uint8Array.of(k.sd.curve.parameterRef)),
    encodeTlv(0xc3, k.sd.d),
    encodeTlv(0xc4, k.sd.point),
    encodeTlv(0xc5, k.certificates),
    encodeTlv(0xc6, Uint8Array.of(k.oceCa.key.curve.parameterRef)),
    encodeTlv(0xc7, k.oceCa.key.point),
    encodeTlv(0xc8, k.oceCa.id),
  );
}

export function decodeScp11Keys(bytes: Uint8Array): Scp11CardKeys {
  const t = new Map(parseTlvs(bytes).map((x) => [x.tag, x.value.slice()]));
  const get = (tag: number) => {
    const v = t.get(tag);
    if (!v) throw new RangeError(`SCP11 record without tag ${tag.toString(16)}`);
    return v;
  };
  const sdCurve = curveByParameterRef(get(0xc2)[0]!);
  const caCurve = curveByParameterRef(get(0xc6)[0]!);
  return {
    kvn: get(0xc0)[0]!,
    macLength: get(0xc0)[1] === 16 ? 16 : 8,
    variants: [...new TextDecoder().decode(get(0xc1))].filter((v): v is Scp11Variant => v === "a" || v === "b" || v === "c"),
    sd: { curve: sdCurve, d: get(0xc3), point: get(0xc4) },
    certificates: get(0xc5),
    oceCa: { key: { curve: caCurve, point: get(0xc7) }, id: get(0xc8) },
  };
}

export interface Scp11Provisioning {
  curve: Curve;
  variants: readonly Scp11Variant[];
  /** The CA that signs the card's certificate and that OCE certificates must chain to. */
  ca: EcKey & { d: Uint8Array };
  macLength?: 8 | 16;
  now?: Date;
}

/** Personalise: a fresh ECKA key pair for the ISD and its certificate, signed by the CA. */
export function provisionScp11(p: Scp11Provisioning): Scp11CardKeys {
  const sd = generateEcKey(p.curve);
  const now = p.now ?? new Date();
  const caId = keyIdentifier(p.ca);
  const certificate = issueCertificate(
    {
      serial: crypto.getRandomValues(new Uint8Array(16)),
      caKlocId: caId,
      subjectId: keyIdentifier(sd),
      keyUsage: CERT_USAGE.KEY_AGREEMENT,
      effective: new Date(now.getTime() - 24 * 3600 * 1000),
      expiration: new Date(now.getTime() + 10 * YEAR_MS),
      publicKey: { curve: sd.curve, point: sd.point },
    },
    p.ca,
  );
  return {
    kvn: SCP11_FACTORY_KVN,
    variants: p.variants,
    sd,
    certificates: certificate,
    oceCa: { key: { curve: p.ca.curve, point: p.ca.point }, id: caId },
    macLength: p.macLength ?? 8,
  };
}
