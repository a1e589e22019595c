/**
 * Answer-to-Reset decoding for the card page (ISO/IEC 7816-3 section 8.2):
 *
 *   TS | T0 (Y1 | K) | TA1 TB1 TC1 TD1 | TA2 ... | historical bytes (K) | TCK
 *
 * Each TDi's high nibble says which of TA..TD(i+1) follow, its low nibble a
 * protocol T. TCK is present unless T=0 is the only protocol indicated.
 */
import { toHex } from "../stack/bytes.ts";

/** What the page shows about an ATR. */
export interface AtrInfo {
  hex: string;
  convention: "direct" | "inverse" | "unknown";
  protocols: string[];
  /** TA1: clock rate conversion Fi and baud rate adjustment Di indices, as hex. */
  ta1?: string;
  historical: string;
  /** The historical bytes as text when they are printable. */
  historicalText?: string;
  checksum: "ok" | "wrong" | "absent";
  /** Why the ATR could not be read fully. */
  problem?: string;
}

/** Decode an ATR; never throws, a malformed one gets `problem`. */
export function decodeAtr(atr: Uint8Array): AtrInfo {
  const info: AtrInfo = { hex: toHex(atr), convention: "unknown", protocols: [], historical: "", checksum: "absent" };
  if (atr.length < 2) return { ...info, problem: "ATR shorter than 2 bytes" };
  info.convention = atr[0] === 0x3b ? "direct" : atr[0] === 0x3f ? "inverse" : "unknown";
  const t0 = atr[1]!;
  const k = t0 & 0x0f;
  let y = t0 >> 4;
  let o = 2;
  let i = 1;
  const protocols = new Set<number>();
  while (y !== 0) {
    if (y & 0x1) {
      if (i === 1) info.ta1 = toHex(atr.subarray(o, o + 1));
      o++;
    }
    if (y & 0x2) o++;
    if (y & 0x4) o++;
    if (y & 0x8) {
      const td = atr[o++];
      if (td === undefined) return { ...info, problem: "ATR ends inside its interface bytes" };
      protocols.add(td & 0x0f);
      y = td >> 4;
    } else {
      y = 0;
    }
    i++;
  }
  if (protocols.size === 0) protocols.add(0);
  info.protocols = [...protocols].map((t) => `T=${t}`);
  if (o + k > atr.length) return { ...info, problem: `ATR announces ${k} historical bytes but has ${Math.max(0, atr.length - o)}` };
  const hist = atr.subarray(o, o + k);
  info.historical = toHex(hist);
  const printable = hist.length > 0 && hist.every((b) => b >= 0x20 && b < 0x7f);
  if (printable) info.historicalText = new TextDecoder().decode(hist);
  o += k;
  const tckExpected = [...protocols].some((t) => t !== 0);
  if (tckExpected) {
    if (o >= atr.length) return { ...info, checksum: "wrong", problem: "TCK missing" };
    // TCK: XOR of T0 .. TCK is zero.
    let x = 0;
    for (let j = 1; j <= o; j++) x ^= atr[j]!;
    info.checksum = x === 0 ? "ok" : "wrong";
    o++;
  }
  if (o < atr.length) info.problem = `${atr.length - o} bytes after the ATR's end`;
  return info;
}
