/**
 * Key Information Template (GET DATA 00E0; GP 2.3.1 section 11.3.3.1):
 * `E0 { C0 keyId keyVersion (type length)+ ... }`. In the extended format a
 * type starts with FF and is followed by a two-byte length; the trailing key
 * usage and access fields are then skipped.
 */
import { parseTlvs } from "../tlv.ts";
import { hexNumber } from "../bytes.ts";

/** Key types (GP 2.3.1 table 11-16). */
const KEY_TYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [0x80, "DES"],
  [0x82, "3DES-CBC"],
  [0x83, "DES-ECB"],
  [0x84, "DES-CBC"],
  [0x85, "TLS-PSK"],
  [0x88, "AES"],
  [0x90, "HMAC-SHA1"],
  [0x91, "HMAC-SHA1-160"],
  [0xa0, "RSA-public-e"],
  [0xa1, "RSA-public-N"],
  [0xa2, "RSA-private-N"],
  [0xa3, "RSA-private-d"],
  [0xa4, "RSA-private-CRT-P"],
  [0xa5, "RSA-private-CRT-Q"],
  [0xa6, "RSA-private-CRT-PQ"],
  [0xa7, "RSA-private-CRT-DP1"],
  [0xa8, "RSA-private-CRT-DQ1"],
  [0xb0, "ECC-public"],
  [0xb1, "ECC-private"],
  [0xb2, "ECC-field-P"],
  [0xb3, "ECC-field-A"],
  [0xb4, "ECC-field-B"],
  [0xb5, "ECC-field-G"],
  [0xb6, "ECC-field-N"],
  [0xb7, "ECC-field-K"],
  [0xf0, "ECC-key-parameters"],
]);

/** One key component: its type and length in bytes. */
export interface KeyComponent {
  type: number;
  length: number;
}

/** One key as the card describes it. */
export interface KeyInfo {
  id: number;
  version: number;
  components: KeyComponent[];
}

/** The name of a key type ("AES"), or its hex. */
export function keyTypeName(type: number): string {
  return KEY_TYPE_NAMES.get(type) ?? `0x${hexNumber(type)}`;
}

function parseC0(v: Uint8Array): KeyInfo {
  const info: KeyInfo = { id: v[0] ?? 0, version: v[1] ?? 0, components: [] };
  let o = 2;
  while (o + 2 <= v.length) {
    if (v[o] === 0xff) {
      if (o + 4 > v.length) break;
      info.components.push({ type: v[o + 1]!, length: (v[o + 2]! << 8) | v[o + 3]! });
      o += 4;
      // Extended format: after the last component come usage and access, each length-prefixed.
      if (v[o] !== 0xff) break;
    } else {
      info.components.push({ type: v[o]!, length: v[o + 1]! });
      o += 2;
    }
  }
  return info;
}

/** Decode a GET DATA 00E0 response (the E0 template or its content). */
export function parseKeyInformation(bytes: Uint8Array): KeyInfo[] {
  let tlvs = parseTlvs(bytes);
  const e0 = tlvs.find((t) => t.tag === 0xe0);
  if (e0) tlvs = parseTlvs(e0.value);
  return tlvs.filter((t) => t.tag === 0xc0).map((t) => parseC0(t.value));
}
