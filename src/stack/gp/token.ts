/**
 * Delegated-management tokens (GP 2.3.1 sections 9.4, 11.2.2.3, 11.5.2.3
 * and C.3): the Card Issuer authorises a card content change made through a
 * security domain with the Delegated Management privilege by signing the
 * command with its Token key; a security domain with Token Verification (the
 * ISD) checks it with the matching public key before the change happens.
 *
 *   token data (INSTALL, LOAD via INSTALL [for load], EXTRADITION, REGISTRY UPDATE):
 *       P1 | P2 | L | the command data up to, not including, the token length byte
 *   token data (DELETE):
 *       P1 | P2 | L | the command data without the token TLV (9E)
 *   token: RSA PKCS#1 v1.5 (SHA-1 or SHA-256) or ECDSA P-256 signature of the token data
 */
import type { KeyObject } from "node:crypto";
import { CommandApdu } from "../apdu.ts";
import { concat } from "../bytes.ts";
import { FormatError } from "../errors.ts";
import { encodeTlv, readHeader } from "../tlv.ts";
import { schemeFor, signMessage, verifyMessage, type SignatureScheme } from "./signature.ts";

/** Tag of the token in DELETE data (GP 11.2.2.3). */
export const DELETE_TOKEN_TAG = 0x9e;

/** Key version numbers GlobalPlatformPro and card issuers use for these keys (kept for interoperability). */
export const DM_KEY_VERSION = { TOKEN: 0x70, RECEIPT: 0x71, DAP: 0x73 } as const;

/** `P1 | P2 | L | body`: what a token signs (L is one byte: INSTALL and DELETE data fit a short APDU). */
export function tokenData(p1: number, p2: number, body: Uint8Array): Uint8Array {
  if (body.length > 255) throw new RangeError(`Token data body of ${body.length} bytes exceeds 255`);
  return concat(p1, p2, body.length, body);
}

/** INSTALL data with an empty token (`... 00`) split into the signed body; the token goes where the 00 was. */
export function installTokenBody(dataWithEmptyToken: Uint8Array): Uint8Array {
  if (dataWithEmptyToken.at(-1) !== 0x00) throw new RangeError("INSTALL data must end with an empty token field (00)");
  return dataWithEmptyToken.subarray(0, dataWithEmptyToken.length - 1);
}

/** INSTALL data with `token` in its last field. */
export function withInstallToken(dataWithEmptyToken: Uint8Array, token: Uint8Array): Uint8Array {
  if (token.length > 255) throw new RangeError(`Token of ${token.length} bytes exceeds 255`);
  return concat(installTokenBody(dataWithEmptyToken), token.length, token);
}

/** DELETE data with `token` as its 9E object. */
export function withDeleteToken(data: Uint8Array, token: Uint8Array): Uint8Array {
  return concat(data, encodeTlv(DELETE_TOKEN_TAG, token));
}

/** Split DELETE data into the part the token signs and the token (undefined when there is none). */
export function splitDeleteToken(data: Uint8Array): { body: Uint8Array; token: Uint8Array | undefined } {
  let o = 0;
  while (o < data.length) {
    const h = readHeader(data, o);
    if (h.valueOffset + h.length > data.length) throw new FormatError("DELETE data TLV runs past the data", data);
    if (h.tag === DELETE_TOKEN_TAG) {
      if (h.valueOffset + h.length !== data.length) throw new FormatError("The DELETE token (9E) must come last", data);
      return { body: data.subarray(0, o), token: data.subarray(h.valueOffset) };
    }
    o = h.valueOffset + h.length;
  }
  return { body: data, token: undefined };
}

/** Sign token data with the Card Issuer's token key (RSA: SHA-1 unless `rsaHash` says sha256). */
export function signToken(data: Uint8Array, privateKey: KeyObject, rsaHash: "sha1" | "sha256" = "sha1"): Uint8Array {
  return signMessage(schemeFor(privateKey, rsaHash), privateKey, data);
}

/** Whether `token` signs `data` under the token public key; RSA tokens are accepted with SHA-1 or SHA-256. */
export function verifyToken(data: Uint8Array, token: Uint8Array, publicKey: KeyObject): boolean {
  const schemes: SignatureScheme[] = publicKey.asymmetricKeyType === "rsa" ? ["rsa-sha1", "rsa-sha256"] : [schemeFor(publicKey)];
  return schemes.some((s) => verifyMessage(s, publicKey, data, token));
}

/** The INSTALL command `cmd` (sent with an empty token) carrying the token for it. */
export function withSignedInstallToken(cmd: CommandApdu, privateKey: KeyObject, rsaHash: "sha1" | "sha256" = "sha1"): CommandApdu {
  const token = signToken(tokenData(cmd.p1, cmd.p2, installTokenBody(cmd.data)), privateKey, rsaHash);
  return new CommandApdu({ cla: cmd.cla, ins: cmd.ins, p1: cmd.p1, p2: cmd.p2, data: withInstallToken(cmd.data, token), ne: 256 });
}

/** The DELETE command `cmd` with a token (9E) for it. */
export function withSignedDeleteToken(cmd: CommandApdu, privateKey: KeyObject, rsaHash: "sha1" | "sha256" = "sha1"): CommandApdu {
  const token = signToken(tokenData(cmd.p1, cmd.p2, cmd.data), privateKey, rsaHash);
  return new CommandApdu({ cla: cmd.cla, ins: cmd.ins, p1: cmd.p1, p2: cmd.p2, data: withDeleteToken(cmd.data, token), ne: 256 });
}
