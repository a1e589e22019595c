/**
 * The ISD's part in delegated management (GP 2.3.1 sections 9.4 and C.3-C.5):
 * it verifies the Card Issuer's token on a change made by an SD with
 * Delegated Management (Token Verification, key version 70), and answers
 * with a receipt made with its Receipt key (key version 71) so the Card
 * Issuer learns the change happened. Keys come from PUT KEY to the ISD.
 */
import type { KeyObject } from "node:crypto";
import { concat, toHex } from "../../stack/bytes.ts";
import { SW } from "../../stack/status-words.ts";
import { FormatError } from "../../stack/errors.ts";
import { p256PublicKey, rsaPublicKey } from "../../stack/gp/signature.ts";
import { DM_KEY_VERSION, tokenData, verifyToken } from "../../stack/gp/token.ts";
import { computeReceipt, receiptInput, receiptResponse } from "../../stack/gp/receipt.ts";
import { parsePublicKeyData } from "../../stack/gp/key-commands.ts";
import { refuse } from "../refusal.ts";
import type { DomainKey } from "../store/domain-keys.ts";
import { META } from "../store/schema.ts";
import type { IsdEnv } from "./isd-state.ts";
import { IIN } from "./get-data.ts";

/** Key types of public keys as stored (the first component type PUT KEY carried). */
export const PUBLIC_TYPES: readonly number[] = [0xa1, 0xa0, 0xb0];

/** A stored public key (its PUT KEY data) as a KeyObject. */
export function publicKeyOf(k: DomainKey): KeyObject {
  const parsed = parsePublicKeyData(k.value);
  if (!parsed) throw new FormatError("Stored key is not a public key", k.value);
  return parsed.key.kind === "rsa" ? rsaPublicKey(parsed.key.modulus, parsed.key.exponent) : p256PublicKey(parsed.key.point);
}

/** The public key of `sd` at `version` (any identifier), if put. */
export function domainPublicKey(env: IsdEnv, sd: Uint8Array, version: number): KeyObject | undefined {
  const k = env.domainKeys.keys(sd).find((x) => x.version === version && PUBLIC_TYPES.includes(x.type));
  return k ? publicKeyOf(k) : undefined;
}

/** Check the token of a delegated change: `body` is what the token signs after P1 P2 L. Refuses 6982 when it does not verify. */
export function verifyDelegatedToken(op: string, env: IsdEnv, p1: number, p2: number, body: Uint8Array, token: Uint8Array | undefined): void {
  if (!token || token.length === 0) refuse(op, SW.SECURITY_STATUS_NOT_SATISFIED, "a security domain with Delegated Management needs a token from the Card Issuer");
  const key = domainPublicKey(env, env.manager.isdAid, DM_KEY_VERSION.TOKEN);
  if (!key) refuse(op, SW.CONDITIONS_NOT_SATISFIED, "the ISD has no token verification key (PUT KEY version 70)");
  if (body.length > 255 || !verifyToken(tokenData(p1, p2, body), token, key)) {
    refuse(op, SW.SECURITY_STATUS_NOT_SATISFIED, "the delegated-management token does not verify with the ISD's token key");
  }
}

/** The receipt response data for a delegated change (or 00 when the ISD has no Receipt key). */
export function receipt(env: IsdEnv, aids: readonly Uint8Array[]): Uint8Array {
  const key = env.domainKeys.keys(env.manager.isdAid).find((k) => k.version === DM_KEY_VERSION.RECEIPT && (k.type === 0x80 || k.type === 0x88));
  if (!key) return Uint8Array.of(0);
  const counter = (env.store.metaInt(META.CONFIRMATION_COUNTER, 0) + 1) & 0xffff;
  env.store.setMetaInt(META.CONFIRMATION_COUNTER, counter);
  const confirmation = { counter, sdUniqueData: concat(IIN, env.store.meta(META.SERIAL)!) };
  const mac = computeReceipt(key.value, key.type === 0x88 ? "AES" : "3DES", receiptInput(confirmation, aids));
  return receiptResponse(mac, confirmation);
}

/** For the card's log. */
export const aidList = (aids: readonly Uint8Array[]) => aids.map(toHex).join(", ");
