/**
 * Key management beside PUT KEY of a secure channel key set:
 *
 * DELETE key (GP 2.3.1 section 11.2.2.2 table 11-23): `80 E4 00 P2 Lc data`
 * with `D0 01 keyId` and/or `D2 01 keyVersion`; P2 80 asks to delete every
 * key that matches (a key version alone names the whole set).
 *
 * PUT KEY of a public key (11.8.2.3, table 11-16): the DAP and token keys
 * travel in clear (they are public), each component `type | L | value | 00`
 * with no check value; L is BER (81 xx, 82 xxxx) for RSA moduli above 127 bytes.
 *   RSA:    version | A1 L modulus 00 | A0 L exponent 00
 *   EC:     version | B0 L point (04 X Y) 00 | F0 01 00 00   (F0: key parameter reference 00 = P-256)
 */
import { CommandApdu } from "../apdu.ts";
import { concat } from "../bytes.ts";
import { FormatError } from "../errors.ts";
import { hexNumber } from "../hex.ts";
import { lengthBytes, readLength } from "../tlv.ts";
import { CLA, INS } from "./constants.ts";

/** Tags of DELETE key data. */
export const DELETE_KEY_TAG = { KEY_ID: 0xd0, KEY_VERSION: 0xd2 } as const;

/** Key component types of public keys (table 11-16). */
export const PUBLIC_KEY_TYPE = { RSA_E: 0xa0, RSA_N: 0xa1, EC_PUBLIC: 0xb0, EC_PARAMETERS: 0xf0 } as const;

/** Key parameter reference of the NIST P-256 curve (amendment E, table 4-3). */
export const EC_P256_REFERENCE = 0x00;

/** DELETE key: by version, by identifier, or one key of one version. */
export function deleteKey(options: { version?: number; id?: number }): CommandApdu {
  const parts: Uint8Array[] = [];
  if (options.id !== undefined) parts.push(Uint8Array.of(DELETE_KEY_TAG.KEY_ID, 1, byte("key identifier", options.id)));
  if (options.version !== undefined) parts.push(Uint8Array.of(DELETE_KEY_TAG.KEY_VERSION, 1, byte("key version", options.version)));
  if (parts.length === 0) throw new RangeError("DELETE key needs a key version or a key identifier");
  return new CommandApdu({ cla: CLA.GP, ins: INS.DELETE, p1: 0x00, p2: 0x00, data: concat(...parts), ne: 256 });
}

function byte(what: string, v: number): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xff) throw new RangeError(`${what} ${v} is not a byte`);
  return v;
}

/** A public key as PUT KEY carries it. */
export type PublicKeyValue = { kind: "rsa"; modulus: Uint8Array; exponent: Uint8Array } | { kind: "ec"; point: Uint8Array };

const component = (type: number, value: Uint8Array) => concat(type, lengthBytes(value.length), value, 0);

/** The PUT KEY command that adds (`replaceVersion` 0) or replaces a public key at `version`, key identifier `id` (default 1). */
export function putPublicKey(key: PublicKeyValue, version: number, replaceVersion = 0, id = 1): CommandApdu {
  const body =
    key.kind === "rsa"
      ? concat(component(PUBLIC_KEY_TYPE.RSA_N, key.modulus), component(PUBLIC_KEY_TYPE.RSA_E, key.exponent))
      : concat(component(PUBLIC_KEY_TYPE.EC_PUBLIC, key.point), component(PUBLIC_KEY_TYPE.EC_PARAMETERS, Uint8Array.of(EC_P256_REFERENCE)));
  // P2 b8 = several keys; the components of one public key are one key (11.8.2.2).
  return new CommandApdu({ cla: CLA.GP, ins: INS.PUT_KEY, p1: byte("version", replaceVersion), p2: id & 0x7f, data: concat(byte("version", version), body), ne: 256 });
}

/** Parse PUT KEY data holding one public key; undefined when the first component is not a public key type. */
export function parsePublicKeyData(data: Uint8Array): { version: number; key: PublicKeyValue } | undefined {
  if (data.length < 2) return undefined;
  const first = data[1]!;
  if (first !== PUBLIC_KEY_TYPE.RSA_N && first !== PUBLIC_KEY_TYPE.RSA_E && first !== PUBLIC_KEY_TYPE.EC_PUBLIC) return undefined;
  const parts = new Map<number, Uint8Array>();
  let o = 1;
  while (o < data.length) {
    const type = data[o]!;
    const [len, used] = readLength(data, o + 1);
    const start = o + 1 + used;
    if (start + len + 1 > data.length) throw new FormatError(`Key component ${hexNumber(type)} runs past the data`, data);
    parts.set(type, data.subarray(start, start + len));
    const kcvLen = data[start + len]!;
    o = start + len + 1 + kcvLen;
  }
  const n = parts.get(PUBLIC_KEY_TYPE.RSA_N);
  const e = parts.get(PUBLIC_KEY_TYPE.RSA_E);
  const point = parts.get(PUBLIC_KEY_TYPE.EC_PUBLIC);
  if (n && e) return { version: data[0]!, key: { kind: "rsa", modulus: n, exponent: e } };
  if (point) {
    const ref = parts.get(PUBLIC_KEY_TYPE.EC_PARAMETERS);
    if (ref && (ref.length !== 1 || ref[0] !== EC_P256_REFERENCE)) throw new FormatError("Only the P-256 curve (key parameter reference 00) is supported", ref);
    return { version: data[0]!, key: { kind: "ec", point } };
  }
  throw new FormatError("A public key needs A1 and A0 (RSA) or B0 (EC)", data);
}
