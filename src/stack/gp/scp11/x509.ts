/**
 * X.509 certificates where a card's certificate store holds them instead of
 * GP certificates (amendment F 6.1.2 allows both): the chain checked with
 * node:crypto's X509Certificate against the trusted CA key, dates included.
 */
import { X509Certificate } from "node:crypto";
import { ChainError } from "./certificate.ts";
import { publicKeyObject, x509PublicKey, type EcKey } from "./curves.ts";

/** The last certificate's key; with `ca`, every signature and date is checked first. */
export function x509ChainKey(ders: readonly Uint8Array[], ca: EcKey | undefined, now: Date): EcKey {
  if (ca) {
    let issuer = publicKeyObject(ca);
    for (const der of ders) {
      const c = new X509Certificate(Buffer.from(der));
      const name = `The X.509 certificate '${c.subject.replaceAll("\n", ", ")}'`;
      if (!c.verify(issuer)) throw new ChainError("signature", `${name} does not verify with the trusted CA's key`);
      if (new Date(c.validTo).getTime() < now.getTime()) throw new ChainError("expired", `${name} expired on ${c.validTo}`);
      if (new Date(c.validFrom).getTime() > now.getTime()) throw new ChainError("not-yet-valid", `${name} is valid only from ${c.validFrom}`);
      issuer = c.publicKey;
    }
  }
  return x509PublicKey(ders[ders.length - 1]!);
}
