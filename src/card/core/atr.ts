/** The simulated card's Answer To Reset. */

/** T=1, historical bytes "WEBCARD1" (proprietary), TCK (ISO/IEC 7816-3 section 8). */
export const ATR = withTck([0x3b, 0x88, 0x80, 0x01, ...new TextEncoder().encode("WEBCARD1")]);

function withTck(bytes: number[]): Uint8Array {
  let tck = 0;
  for (const b of bytes.slice(1)) tck ^= b;
  return Uint8Array.of(...bytes, tck);
}
