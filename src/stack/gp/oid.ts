/** ASN.1 object identifiers (ITU-T X.690 section 8.19) as dotted text, for card recognition data. */

/** Decode the content octets of an OID into "1.2.840.114283.4.2.21". */
export function decodeOid(bytes: Uint8Array): string {
  const parts: number[] = [];
  let v = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    v = v * 128 + (b & 0x7f);
    if ((b & 0x80) !== 0) continue;
    if (parts.length === 0) {
      const first = v < 80 ? Math.floor(v / 40) : 2;
      parts.push(first, v - first * 40);
    } else {
      parts.push(v);
    }
    v = 0;
  }
  return parts.join(".");
}
