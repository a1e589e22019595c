/**
 * Answer-to-Reset (ISO/IEC 7816-3:2006 section 8.2): the interface bytes
 * that choose the protocol and the bit rate, and the historical bytes
 * (ISO/IEC 7816-4 section 8.1.1) that often name the card.
 *
 *   TS T0 [TA1 TB1 TC1 TD1] [TA2 TB2 TC2 TD2] ... historical bytes [TCK]
 *
 * T0 and each TDi say, in their high nibble, which of TA/TB/TC/TD follow;
 * TDi's low nibble names a protocol (T=0, T=1, T=15 for global bytes).
 */
import { FormatError } from "./errors.ts";
import { toHex } from "./bytes.ts";

/** An ATR has at most 33 bytes (ISO 7816-3 8.2.1). */
export const MAX_ATR = 33;

/** Clock rate conversion Fi and the card's highest clock (MHz), by TA1's high nibble (ISO 7816-3 table 7). */
const FI: readonly (readonly [number, number] | undefined)[] = [
  [372, 4], [372, 5], [558, 6], [744, 8], [1116, 12], [1488, 16], [1860, 20], undefined,
  undefined, [512, 5], [768, 7.5], [1024, 10], [1536, 15], [2048, 20], undefined, undefined,
];
/** Baud rate adjustment Di, by TA1's low nibble (ISO 7816-3 table 8). */
const DI: readonly (number | undefined)[] = [undefined, 1, 2, 4, 8, 16, 32, 64, 12, 20, undefined, undefined, undefined, undefined, undefined, undefined];

/** The clock most readers give a card at first (3.5712 MHz makes Fi 372, Di 1 exactly 9600 bit/s). */
export const REFERENCE_CLOCK_HZ = 3_571_200;

export interface AtrInfo {
  /** Direct (3B) or inverse (3F) convention. */
  convention: "direct" | "inverse";
  /** Protocols the card offers, first the one it starts in ("T=0", "T=1"). */
  protocols: string[];
  /** Fi and Di from TA1 (defaults 372 and 1 without TA1), with the card's highest clock. */
  fi: number;
  di: number;
  fmaxMHz: number;
  /** Bit rate at REFERENCE_CLOCK_HZ after a PPS with TA1's values. */
  bitsPerSecond: number;
  /** TA2 present: the card starts in the specific mode TA2 names, without PPS. */
  specificMode: boolean;
  /** Extra guard time N (TC1), 255 = minimum. */
  guardTime?: number;
  historical: Uint8Array;
  /** The historical bytes as text when they are printable ASCII ("JCOP242R2"). */
  historicalText?: string;
  /** ISO 7816-4 category indicator: 00 and 80 compact-TLV, 10 DIR reference, others proprietary. */
  category: string;
  /** The TCK byte, when present; `tckOk` whether T0..TCK XOR to zero. */
  tck?: number;
  tckOk?: boolean;
}

/** Decode an ATR. Throws FormatError (with the bytes) when the bytes cannot be an ATR. */
export function parseAtr(atr: Uint8Array): AtrInfo {
  if (atr.length < 2 || atr.length > MAX_ATR) throw new FormatError(`ATR of ${atr.length} bytes: an ATR has 2 to ${MAX_ATR}`, atr);
  const ts = atr[0]!;
  if (ts !== 0x3b && ts !== 0x3f) throw new FormatError(`ATR starts with ${toHex(atr.subarray(0, 1))}: TS is 3B or 3F`, atr);
  let o = 1;
  let y = atr[o]! >> 4;
  const k = atr[o++]! & 0x0f;
  const protocols: number[] = [];
  let ta1: number | undefined;
  let tc1: number | undefined;
  let specificMode = false;
  for (let i = 1; ; i++) {
    const take = (bit: number): number | undefined => {
      if (!(y & bit)) return undefined;
      const b = atr[o++];
      if (b === undefined) throw new FormatError(`ATR ends inside its interface bytes (group ${i})`, atr);
      return b;
    };
    const ta = take(1);
    take(2);
    const tc = take(4);
    const td = take(8);
    if (i === 1) {
      ta1 = ta;
      tc1 = tc;
    }
    if (i === 2 && ta !== undefined) specificMode = true;
    if (td === undefined) break;
    const t = td & 0x0f;
    if (!protocols.includes(t)) protocols.push(t);
    y = td >> 4;
  }
  if (o + k > atr.length) throw new FormatError(`ATR announces ${k} historical bytes but has ${atr.length - o}`, atr);
  const historical = atr.slice(o, o + k);
  o += k;
  const offered = protocols.filter((t) => t !== 15);
  if (offered.length === 0) offered.push(0); // No TD1: T=0 only (ISO 7816-3 8.2.3).
  const needsTck = protocols.some((t) => t !== 0); // TCK is absent only when T=0 alone is indicated (8.2.5)
  const out: AtrInfo = {
    convention: ts === 0x3b ? "direct" : "inverse",
    protocols: offered.map((t) => `T=${t}`),
    ...rate(ta1),
    specificMode,
    historical,
    category: category(historical),
  };
  if (tc1 !== undefined) out.guardTime = tc1;
  const text = printable(historical);
  if (text) out.historicalText = text;
  if (needsTck && o < atr.length) {
    out.tck = atr[o]!;
    out.tckOk = atr.subarray(1, o + 1).reduce((x, b) => x ^ b, 0) === 0;
  }
  return out;
}

function rate(ta1: number | undefined): { fi: number; di: number; fmaxMHz: number; bitsPerSecond: number } {
  const f = FI[(ta1 ?? 0x11) >> 4] ?? FI[1]!;
  const di = DI[(ta1 ?? 0x11) & 0x0f] ?? 1;
  return { fi: f[0], di, fmaxMHz: f[1], bitsPerSecond: Math.round((REFERENCE_CLOCK_HZ * di) / f[0]) };
}

function category(historical: Uint8Array): string {
  const c = historical[0];
  if (c === undefined) return "none";
  if (c === 0x80) return "80 (compact-TLV)";
  if (c === 0x00) return "00 (compact-TLV, status at the end)";
  if (c === 0x10) return "10 (DIR data reference)";
  return `${toHex(Uint8Array.of(c))} (proprietary)`;
}

/** Printable ASCII runs of four or more characters, the way cards spell their names in historical bytes. */
function printable(bytes: Uint8Array): string | undefined {
  const runs = new TextDecoder("latin1").decode(bytes).match(/[\x20-\x7e]{4,}/g);
  return runs ? runs.join(" ").trim() || undefined : undefined;
}

/**
 * The protocol a reader will use with this card: T=1 when the card offers it
 * (readers negotiate it, and PC/SC part 3's pseudo-ATR of a contactless card,
 * 3B 8n 80 01, lists T=0 before T=1), T=0 when it is all the card offers;
 * T=1 when the ATR cannot be read.
 */
export function atrProtocol(atr: Uint8Array): "T=0" | "T=1" {
  try {
    return parseAtr(atr).protocols.includes("T=1") ? "T=1" : "T=0";
  } catch {
    return "T=1";
  }
}
