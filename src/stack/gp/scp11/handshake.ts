/**
 * SCP11's key agreement (GP amendment F v1.3 sections 3.1, 6.2.2 and 7):
 * the bytes of the authenticate command, the shared secrets, the X9.63 key
 * derivation and the receipt, shared by the terminal and the card.
 *
 * MUTUAL AUTHENTICATE (11a, 11c: 80 82) / INTERNAL AUTHENTICATE (11b: 80 88)
 * P1 key version, P2 key identifier of the SD's ECKA key, data:
 *
 *   A6 0D  control reference template for key agreement
 *     90 02 11 i   SCP identifier 11 and parameter i (11a 01, 11b 00, 11c 03)
 *     95 01 usage  key usage qualifier: 34 C-MAC+R-MAC, 3C + C-DECRYPTION and R-ENCRYPTION
 *     80 01 88     key type AES
 *     81 01 len    session key length: 10, 18 or 20
 *   5F49 L ePK.OCE.ECKA (uncompressed point)
 *
 * Response: 5F49 L ePK.SD.ECKA (11c: the static PK.SD.ECKA) | 86 10 receipt.
 */
import { concat, hexNumber } from "../../bytes.ts";
import { aesCmac } from "../../crypto/cmac.ts";
import { x963Kdf } from "../../crypto/x963-kdf.ts";
import { FormatError } from "../../errors.ts";
import { encodeTlv, parseTlvs } from "../../tlv.ts";
import { LEVEL_BIT } from "../security-level.ts";

export type Scp11Variant = "a" | "b" | "c";

/** Instructions (amendment F section 7). */
export const SCP11_INS = {
  PERFORM_SECURITY_OPERATION: 0x2a,
  MUTUAL_AUTHENTICATE: 0x82,
  INTERNAL_AUTHENTICATE: 0x88,
} as const;

/** Key identifiers of the SD's ECKA key per variant, and of the OCE / CA-KLOC key (amendment F 6.1, table 6-1). */
export const SCP11_KID = { a: 0x11, b: 0x13, c: 0x15, OCE: 0x10 } as const;

/** "i" per variant: bit 1 the OCE authenticates with a static key (a, c), bit 2 no ephemeral key on the card (c). */
export const SCP11_I = { a: 0x01, b: 0x00, c: 0x03 } as const satisfies Record<Scp11Variant, number>;

/** Key usage qualifiers of the session keys (amendment F table 6-?, ISO 7816-4 CRT usage bits). */
export const SCP11_USAGE = { MAC: 0x34, ENC: 0x3c } as const;

export const SCP11_TAG = {
  CONTROL_REFERENCE: 0xa6,
  SCP_ID: 0x90,
  KEY_USAGE: 0x95,
  KEY_TYPE: 0x80,
  KEY_LENGTH: 0x81,
  EPHEMERAL_KEY: 0x5f49,
  RECEIPT: 0x86,
} as const;

const KEY_TYPE_AES = 0x88;
const SCP11_ID = 0x11;

/** Security level bits (as EXTERNAL AUTHENTICATE P1) a key usage qualifier stands for: 34 C-MAC and R-MAC; 3C all four. */
export function levelOfUsage(usage: number): number {
  const macs = LEVEL_BIT.C_MAC | LEVEL_BIT.R_MAC;
  return usage === SCP11_USAGE.ENC ? macs | LEVEL_BIT.C_DEC | LEVEL_BIT.R_ENC : macs;
}

export interface ControlReference {
  variant: Scp11Variant;
  usage: number;
  /** Session key length in bytes: 16, 24 or 32. */
  keyLength: number;
}

/** The A6 template of the authenticate command. */
export function encodeControlReference(c: ControlReference): Uint8Array {
  return encodeTlv(
    SCP11_TAG.CONTROL_REFERENCE,
    encodeTlv(SCP11_TAG.SCP_ID, Uint8Array.of(SCP11_ID, SCP11_I[c.variant])),
    encodeTlv(SCP11_TAG.KEY_USAGE, Uint8Array.of(c.usage)),
    encodeTlv(SCP11_TAG.KEY_TYPE, Uint8Array.of(KEY_TYPE_AES)),
    encodeTlv(SCP11_TAG.KEY_LENGTH, Uint8Array.of(c.keyLength)),
  );
}

/** Parse the authenticate command data: the A6 template (as sent) and ePK.OCE. */
export function parseAuthenticateData(data: Uint8Array): { crt: ControlReference; crtBytes: Uint8Array; ePkOce: Uint8Array } {
  const tlvs = parseTlvs(data);
  const a6 = tlvs.find((t) => t.tag === SCP11_TAG.CONTROL_REFERENCE);
  const epk = tlvs.find((t) => t.tag === SCP11_TAG.EPHEMERAL_KEY);
  if (!a6 || !epk) throw new FormatError("Authenticate data needs A6 (control reference) and 5F49 (ePK.OCE)", data.subarray(0, 8));
  const inner = parseTlvs(a6.value);
  const get = (tag: number) => inner.find((t) => t.tag === tag)?.value;
  const id = get(SCP11_TAG.SCP_ID);
  const usage = get(SCP11_TAG.KEY_USAGE);
  const type = get(SCP11_TAG.KEY_TYPE);
  const length = get(SCP11_TAG.KEY_LENGTH);
  if (!id || id.length !== 2 || id[0] !== SCP11_ID) throw new FormatError("Control reference without SCP identifier 11 (tag 90)", a6.value);
  const variant = (Object.keys(SCP11_I) as Scp11Variant[]).find((v) => SCP11_I[v] === id[1]);
  if (!variant) throw new FormatError(`SCP11 parameter i=${hexNumber(id[1]!)} is not 11a, 11b or 11c`, a6.value);
  if (!usage || usage.length !== 1 || (usage[0] !== SCP11_USAGE.MAC && usage[0] !== SCP11_USAGE.ENC)) {
    throw new FormatError("Key usage (tag 95) must be 34 or 3C", a6.value);
  }
  if (!type || type.length !== 1 || type[0] !== KEY_TYPE_AES) throw new FormatError("Key type (tag 80) must be 88 (AES)", a6.value);
  if (!length || length.length !== 1 || ![16, 24, 32].includes(length[0]!)) throw new FormatError("Key length (tag 81) must be 10, 18 or 20", a6.value);
  const crtBytes = encodeTlv(SCP11_TAG.CONTROL_REFERENCE, a6.value);
  return { crt: { variant, usage: usage[0]!, keyLength: length[0]! }, crtBytes, ePkOce: epk.value.slice() };
}

export interface Scp11Keys {
  /** Key for the receipt only. */
  receipt: Uint8Array;
  enc: Uint8Array;
  mac: Uint8Array;
  rmac: Uint8Array;
  dek: Uint8Array;
}

/**
 * Session keys from ShSee | ShSes with the X9.63 KDF (SHA-256), shared info
 * key usage | key type | key length (amendment F 6.2.2.4): the output, in
 * key-length pieces, is the receipt key, S-ENC, S-MAC, S-RMAC and S-DEK.
 */
export function scp11SessionKeys(shSee: Uint8Array, shSes: Uint8Array, usage: number, keyLength: number): Scp11Keys {
  const out = x963Kdf(concat(shSee, shSes), Uint8Array.of(usage, KEY_TYPE_AES, keyLength), 5 * keyLength);
  const part = (n: number) => out.slice(n * keyLength, (n + 1) * keyLength);
  return { receipt: part(0), enc: part(1), mac: part(2), rmac: part(3), dek: part(4) };
}

/** Receipt: AES-CMAC(receipt key, A6 template | 5F49 ePK.OCE | 5F49 ePK.SD), all as TLVs (amendment F 6.2.2.3). */
export function scp11Receipt(receiptKey: Uint8Array, crtBytes: Uint8Array, ePkOce: Uint8Array, ePkSd: Uint8Array): Uint8Array {
  return aesCmac(receiptKey, concat(crtBytes, encodeTlv(SCP11_TAG.EPHEMERAL_KEY, ePkOce), encodeTlv(SCP11_TAG.EPHEMERAL_KEY, ePkSd)));
}
