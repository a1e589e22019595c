/**
 * X.509 certificates where a card's certificate store holds them instead of
 * GP certificates (amendment F 6.1.2 allows both): the chain checked with
 * node:crypto's X509Certificate against the trusted CA key, dates included.
 */
import { X509Certificate, createPublicKey } from "node:crypto";
import { concat } from "../../bytes.ts";
import { ChainError } from "./certificate.ts";
import { curveByName, type EcKey } from "./curves.ts";

function keyOf(cert: X509Certificate): EcKey {
  const j = cert.publicKey.export({ format: "jwk" });
  const curve = curveByName(String(j.crv));
  const part = (v: string | undefined) => {
    const b = new Uint8Array(Buffer.from(v ?? "", "base64url"));
    const out = new Uint8Array(curve.size);
    out.set(b, curve.size - b.length);
    return out;
  };
  return { curve, point: concat(0x04, part(j.x), part(j.y)) };
}

function caKeyObject(key: EcKey) {
  const s = key.curve.size;
  const b64 = (b: Uint8Array) => Buffer.from(b).toString("base64url");
  return createPublicKey({ key: { kty: "EC", crv: key.curve.name, x: b64(key.point.subarray(1, 1 + s)), y: b64(key.point.subarray(1 + s)) }, format: "jwk" });
}

/** The last certificate's key; with `ca`, every signature and date is checked first. */
export function x509ChainKey(ders: readonly Uint8Array[], ca: EcKey | undefined, now: Date): EcKey {
  const certs = ders.map((d) => new X509Certificate(Buffer.from(d)));
  if (ca) {
    let issuer = caKeyObject(ca);
    for (const c of certs) {
      if (!c.verify(issuer)) throw new ChainError("signature", `The X.509 certificate '${c.subject.replaceAll("\n", ", ")}' does not verify with the trusted CA's key`);
      if (new Date(c.validTo).getTime() < now.getTime()) throw new ChainError("expired", `The X.509 certificate '${c.subject.replaceAll("\n", ", ")}' expired on ${c.validTo}`);
      if (new Date(c.validFrom).getTime() > now.getTime()) throw new ChainError("not-yet-valid", `The X.509 certificate '${c.subject.replaceAll("\n", ", ")}' is valid only from ${c.validFrom}`);
      issuer = c.publicKey;
    }
  }
  return keyOf(certs[certs.length - 1]!);
}
