/**
 * A profile as the card's command handlers read it: the hex of the file
 * turned into bytes and numbers once. The factory settings (ISD AID, keys,
 * memory...) go to the card memory instead (factory.ts).
 */
import { fromHex } from "../../stack/bytes.ts";
import type { CardProfile } from "./profile.ts";

export type DataAnswer = { data: Uint8Array } | { sw: number };

export interface CardBehaviour {
  /** The profile's name. */
  name: string;
  atr: Uint8Array;
  /** T=0: 61xx / 6Cxx and GET RESPONSE (ISO/IEC 7816-3 section 10.3). */
  t0: boolean;
  fci: {
    /** The 73 template: built from the card's settings, or the trace's own bytes. */
    recognitionData: "full" | "oid-only" | "none" | Uint8Array;
    productionData?: Uint8Array;
    maxBlockTag: boolean;
    order: CardProfile["fci"]["order"];
    /** SELECT without Le answers 9000 alone. */
    noFciWithoutLe: boolean;
  };
  /** GP version digits for the recognition data OID (2.3.1 -> 2, 3, 1). */
  gpVersion: number[];
  /** GET DATA answers by tag that replace the spec's default. */
  getData: ReadonlyMap<number, DataAnswer>;
  /** SW for GET DATA with CLA 00, when the card refuses it. */
  getDataIsoCla?: number;
  getStatus: {
    /** undefined: answered; a number: the SW that refuses the format. */
    taggedRefused?: number;
    legacyRefused?: number;
    /** P1 -> SW. */
    refuse: ReadonlyMap<number, number>;
    /** Cut answers at the byte limit (a TLV may span two answers) instead of between entries. */
    byBytes: boolean;
    /** Every tagged entry inside one E3. */
    oneTemplate: boolean;
  };
}

const swOf = (hex: string) => parseInt(hex, 16);

/** The behaviour of a checked profile. */
export function behaviourOf(p: CardProfile): CardBehaviour {
  const s = p.getStatus;
  return {
    name: p.name,
    atr: fromHex(p.atr),
    t0: p.protocol === "T=0",
    fci: {
      recognitionData: ["full", "oid-only", "none"].includes(p.fci.recognitionData) ? (p.fci.recognitionData as "full" | "oid-only" | "none") : fromHex(p.fci.recognitionData),
      ...(p.fci.productionData ? { productionData: fromHex(p.fci.productionData) } : {}),
      maxBlockTag: p.fci.maxBlockTag,
      order: p.fci.order,
      noFciWithoutLe: p.fci.withoutLe === "sw-only",
    },
    gpVersion: p.gpVersion.split(".").map(Number),
    getData: new Map(Object.entries(p.getData).map(([tag, a]) => [parseInt(tag, 16), "sw" in a ? { sw: swOf(a.sw) } : { data: fromHex(a.data) }])),
    ...(p.getDataIsoCla ? { getDataIsoCla: swOf(p.getDataIsoCla) } : {}),
    getStatus: {
      ...(s.tagged === true ? {} : { taggedRefused: swOf(s.tagged) }),
      ...(s.legacy === true ? {} : { legacyRefused: swOf(s.legacy) }),
      refuse: new Map(Object.entries(s.refuse ?? {}).map(([p1, sw]) => [parseInt(p1, 16), swOf(sw)])),
      byBytes: s.paging === "bytes",
      oneTemplate: s.oneTemplate === true,
    },
  };
}
