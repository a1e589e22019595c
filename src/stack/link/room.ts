/**
 * How many bytes of frames fit in one EXCHANGE command once the secure
 * channel has added its part (REFERENCE.md section 4; GP 2.3.1 amendment D
 * section 6.2.6): a C-MAC adds 8 bytes; C-DEC pads to 16 with 80 00.. (at
 * least one byte) before the MAC is added.
 */
export type SecureLevel = "none" | "mac" | "enc";

/** Largest plain data field that still fits `maxNc` after secure messaging at `level`. */
export function commandRoom(maxNc: number, level: SecureLevel): number {
  if (level === "none") return maxNc;
  const afterMac = maxNc - 8;
  if (level === "mac") return afterMac;
  return Math.floor(afterMac / 16) * 16 - 1;
}

/** Secure level of an EXTERNAL AUTHENTICATE P1 byte. */
export function levelOf(p1: number): SecureLevel {
  if (p1 & 0x02) return "enc";
  if (p1 & 0x01) return "mac";
  return "none";
}
