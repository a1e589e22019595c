/**
 * Free memory as the card reports it: GET DATA FF21, extended card
 * resources (GP Amendment C / ETSI TS 102 226 usage):
 *   FF21 { 81 installed applications | 82 free non-volatile bytes | 83 free volatile bytes }
 */
import { readUint } from "../stack/bytes.ts";
import { findTag, parseTlvs, readHeader } from "../stack/tlv.ts";

/** Labelled facts for the card page ("non-volatile memory", "12,345 bytes"). */
export function parseCardResources(bytes: Uint8Array): { label: string; value: string }[] {
  let body = bytes;
  // Read the FF21 header directly: parseTlvs skips a leading FF as padding.
  if (bytes[0] === 0xff && bytes[1] === 0x21) {
    const h = readHeader(bytes, 0);
    body = bytes.subarray(h.valueOffset, h.valueOffset + h.length);
  }
  const tlvs = parseTlvs(body);
  const num = (tag: number) => {
    const v = findTag(tlvs, tag)?.value;
    return v && v.length > 0 && v.length <= 6 ? readUint(v, 0, v.length) : undefined;
  };
  const out: { label: string; value: string }[] = [];
  const nv = num(0x82);
  const vol = num(0x83);
  const apps = num(0x81);
  if (nv !== undefined) out.push({ label: "Free non-volatile memory", value: `${nv.toLocaleString("en-US")} bytes` });
  if (vol !== undefined) out.push({ label: "Free volatile memory", value: `${vol.toLocaleString("en-US")} bytes` });
  if (apps !== undefined) out.push({ label: "Installed applications", value: String(apps) });
  return out;
}
