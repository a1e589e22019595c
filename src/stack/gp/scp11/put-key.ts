/**
 * PUT KEY of SCP11 keys (GP 2.3.1 section 11.8.2.3 with the ECC key types of
 * table 11-16, as amendment F 6.1 uses them), built by the terminal and
 * parsed by the card:
 *
 *   80 D8 <KVN to replace | 00> <KID>  Lc
 *     <new KVN>
 *     B0 L <04 | x | y>                 the CA-KLOC public key (KID 10), in clear
 *   | B1 L <AES-CBC(S-DEK, IV 0, d padded with zeros to 16-byte blocks)>
 *                                       the SD's ECKA private key (KID 11, 13, 15)
 *     F0 01 <key parameter reference>   00 P-256, 01 P-384, 02 P-521
 *     00                                no key check value (none is defined for EC keys)
 *   answer: <new KVN>
 *
 * The card also takes a KCV length byte after each component (00), as the
 * DAP and token public keys travel (key-commands.ts): a byte below 80 after a
 * component is a KCV length, 80 and above the next key type.
 *
 * The certificates of a new ECKA key go by STORE DATA (certificateStoreData):
 *   A6 { 83 02 KID KVN }  BF21 { 7F21 ... }   (amendment F 7.4: the store GET DATA BF21 reads)
 */
import { createECDH } from "node:crypto";
import { CommandApdu } from "../../apdu.ts";
import { concat } from "../../bytes.ts";
import { aesCbcDecrypt, aesCbcEncrypt } from "../../crypto/aes.ts";
import { FormatError } from "../../errors.ts";
import { hexNumber } from "../../hex.ts";
import { encodeTlv, lengthBytes, parseTlvs, readLength } from "../../tlv.ts";
import { CLA, INS } from "../constants.ts";
import { CERT_TAG } from "./certificate.ts";
import { checkPoint, curveByParameterRef, type Curve, type EcKey } from "./curves.ts";

/** ECC key component types (GP 2.3.1 table 11-16). */
export const ECC_TYPE = { PUBLIC: 0xb0, PRIVATE: 0xb1, PARAMETERS: 0xf0 } as const;

const component = (type: number, value: Uint8Array) => concat(type, lengthBytes(value.length), value);

function command(p1: number, kid: number, data: Uint8Array): CommandApdu {
  return new CommandApdu({ cla: CLA.GP, ins: INS.PUT_KEY, p1, p2: kid, data, ne: 256 });
}

/** PUT KEY of a public key (KID 10: the CA-KLOC key OCE certificates must chain to). */
export function putEcPublicKey(key: EcKey, kid: number, kvn: number, replaceKvn = 0): CommandApdu {
  const body = concat(component(ECC_TYPE.PUBLIC, key.point), component(ECC_TYPE.PARAMETERS, Uint8Array.of(key.curve.parameterRef)), 0);
  return command(replaceKvn, kid, concat(kvn, body));
}

/** PUT KEY of the SD's ECKA private key, encrypted under the session's S-DEK (AES). */
export function putEcPrivateKey(key: EcKey & { d: Uint8Array }, kid: number, kvn: number, dek: Uint8Array, replaceKvn = 0): CommandApdu {
  const padded = new Uint8Array(Math.ceil(key.d.length / 16) * 16);
  padded.set(key.d);
  const body = concat(component(ECC_TYPE.PRIVATE, aesCbcEncrypt(dek, padded)), component(ECC_TYPE.PARAMETERS, Uint8Array.of(key.curve.parameterRef)), 0);
  return command(replaceKvn, kid, concat(kvn, body));
}

/** STORE DATA's data for the certificate store of key KID/KVN (CA side first, the ECKA certificate last). */
export function certificateStoreData(kid: number, kvn: number, certificates: readonly Uint8Array[]): Uint8Array {
  return concat(encodeTlv(0xa6, encodeTlv(0x83, Uint8Array.of(kid, kvn))), encodeTlv(CERT_TAG.STORE, concat(...certificates)));
}

/** What an SCP11 PUT KEY carries, once decrypted. */
export type ParsedEcKey = { kvn: number; key: EcKey & { d?: Uint8Array } };

/**
 * Card side: an EC key from PUT KEY data; undefined when the first component
 * is not an ECC type (another parser's business). `dek` decrypts B1.
 */
export function parseEcPutKey(data: Uint8Array, dek: Uint8Array | undefined): ParsedEcKey | undefined {
  const first = data[1];
  if (first !== ECC_TYPE.PUBLIC && first !== ECC_TYPE.PRIVATE) return undefined;
  const parts = new Map<number, Uint8Array>();
  let o = 1;
  while (o < data.length) {
    const type = data[o]!;
    if (type === 0x00 && o === data.length - 1) break; // the trailing KCV length of the whole key
    const [len, used] = readLength(data, o + 1);
    const start = o + 1 + used;
    if (start + len > data.length) throw new FormatError(`Key component ${hexNumber(type)} runs past the data`, data);
    if (parts.has(type)) throw new FormatError(`Key component ${hexNumber(type)} given twice`, data);
    parts.set(type, data.subarray(start, start + len));
    o = start + len;
    const next = data[o];
    if (next !== undefined && next < 0x80) o += 1 + next; // a KCV length and its (ignored) KCV
  }
  const ref = parts.get(ECC_TYPE.PARAMETERS);
  if (ref !== undefined && ref.length !== 1) throw new FormatError("The key parameter reference (F0) must be one byte", ref);
  const curve = curveByParameterRef(ref?.[0] ?? 0x00);
  const point = parts.get(ECC_TYPE.PUBLIC);
  const secret = parts.get(ECC_TYPE.PRIVATE);
  if (secret) {
    if (!dek) throw new FormatError("An ECC private key (B1) needs a session DEK to decrypt it", data);
    if (secret.length % 16 !== 0 || secret.length < curve.size) throw new FormatError(`An encrypted ${curve.name} private key of ${secret.length} bytes`, data);
    const d = aesCbcDecrypt(dek, secret).slice(0, curve.size);
    return { kvn: data[0]!, key: ecKeyOfPrivate(curve, d) };
  }
  if (!point) throw new FormatError("An ECC key needs B0 (public) or B1 (private)", data);
  checkPoint(curve, point);
  return { kvn: data[0]!, key: { curve, point: point.slice() } };
}

/** The key pair of a private scalar; a scalar out of range is a FormatError. */
export function ecKeyOfPrivate(curve: Curve, d: Uint8Array): EcKey & { d: Uint8Array } {
  try {
    const ecdh = createECDH(curve.node);
    ecdh.setPrivateKey(d);
    return { curve, d: d.slice(), point: new Uint8Array(ecdh.getPublicKey()) };
  } catch (cause) {
    throw new FormatError(`Not a ${curve.name} private key (wrong DEK, or a scalar out of range)`, undefined, { cause });
  }
}

/** Card side: STORE DATA of a certificate store, { kid, kvn, certificates }; undefined for other data. */
export function parseCertificateStoreData(data: Uint8Array): { kid: number; kvn: number; certificates: Uint8Array } | undefined {
  if (data[0] !== 0xa6) return undefined;
  const tlvs = parseTlvs(data);
  const a6 = tlvs.find((t) => t.tag === 0xa6);
  const ref = a6 && parseTlvs(a6.value).find((t) => t.tag === 0x83);
  const store = tlvs.find((t) => t.tag === CERT_TAG.STORE);
  if (!ref || ref.value.length !== 2 || !store) return undefined;
  return { kid: ref.value[0]!, kvn: ref.value[1]!, certificates: store.value.slice() };
}
