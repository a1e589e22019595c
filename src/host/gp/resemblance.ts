/**
 * Which card profile a card resembles: the facts a card tells without
 * authentication (ATR, ISD and its FCI, card recognition data, key
 * information, GET DATA answers, INITIALIZE UPDATE when asked), weighed
 * against each profile's. The profiles themselves live with the simulated
 * card (src/card/profiles); this side needs only the facts below, which a
 * CardProfile has under the same names.
 */
import { hexNumber } from "../../stack/hex.ts";

/** What a profile says about the facts a terminal can see. */
export interface ProfileFacts {
  name: string;
  title: string;
  atr: string;
  protocol: string;
  isd: { aid: string };
  /** recognitionData: "full", "oid-only", "none", or the 73 template of a trace in hex. */
  fci: { recognitionData: string; productionData?: string; maxBlockTag: boolean };
  gpVersion: string;
  keys: { scp: number; i: string; version: string; kdd: string };
  getData: Record<string, { data: string } | { sw: string }>;
  load: { maxBlock: number };
}

/** What the card showed (hex in upper case). */
export interface ObservedCard {
  atr: string;
  /** The ATR's historical bytes. */
  historical?: string;
  protocol: string;
  isd?: string;
  recognitionData?: "full" | "oid-only" | "none";
  productionData?: string;
  maxCommandData?: number;
  gpVersion?: string;
  /** From the card recognition data, or INITIALIZE UPDATE. */
  scp?: { scp: number; i: number };
  /** Key set versions from the key information template, or INITIALIZE UPDATE. */
  keyVersions: number[];
  kdd?: string;
  /** GET DATA answers by tag (4 hex digits): the data, or the status word alone. */
  getData: Record<string, { data: string } | { sw: string }>;
}

/** One profile's result: the facts that agree and those that differ, by name. */
export interface Resemblance {
  name: string;
  title: string;
  score: number;
  agrees: string[];
  differs: string[];
}


/** A profile's recognition data as a kind: a 73 template of 9 bytes holds the GP OID alone (GP 2.3.1 H.2). */
function recognitionKind(value: string): "full" | "oid-only" | "none" {
  if (value === "full" || value === "oid-only" || value === "none") return value;
  return /^7309/i.test(value) ? "oid-only" : "full";
}

/** Weigh one profile. Facts the card did not show are not counted either way. */
export function resemble(card: ObservedCard, p: ProfileFacts): Resemblance {
  const agrees: string[] = [];
  const differs: string[] = [];
  let score = 0;
  const weigh = (what: string, weight: number, same: boolean | undefined) => {
    if (same === undefined) return;
    (same ? agrees : differs).push(what);
    score += same ? weight : -weight;
  };
  const atr = p.atr.toUpperCase();
  if (atr === card.atr) weigh("ATR", 8, true);
  else weigh("ATR historical bytes", 3, card.historical !== undefined && card.historical !== "" && atr.includes(card.historical));
  weigh("protocol", 1, card.protocol === p.protocol);
  weigh("ISD AID", 2, card.isd === undefined ? undefined : card.isd === p.isd.aid.toUpperCase());
  weigh("card recognition data in the FCI", 1, card.recognitionData === undefined ? undefined : card.recognitionData === recognitionKind(p.fci.recognitionData));
  weigh("9F6E", 1, card.isd === undefined ? undefined : (card.productionData ?? "") === (p.fci.productionData ?? "").toUpperCase());
  weigh("9F65", 1, card.isd === undefined ? undefined : card.maxCommandData === (p.fci.maxBlockTag ? p.load.maxBlock : undefined));
  weigh("GP version", 1, card.gpVersion === undefined ? undefined : card.gpVersion === p.gpVersion);
  weigh("SCP and i", 1, card.scp === undefined ? undefined : card.scp.scp === p.keys.scp && hexNumber(card.scp.i) === p.keys.i.toUpperCase());
  weigh("key version", 1, card.keyVersions.length === 0 ? undefined : card.keyVersions.some((v) => hexNumber(v) === p.keys.version.toUpperCase()));
  weigh("key diversification data", 1, card.kdd === undefined || p.keys.kdd === "random" ? undefined : card.kdd === p.keys.kdd.toUpperCase());
  for (const [tag, answer] of Object.entries(p.getData)) {
    const seen = card.getData[tag.toUpperCase()];
    if (!seen) continue;
    const same = "sw" in answer ? "sw" in seen && seen.sw === answer.sw.toUpperCase() : "data" in seen && seen.data === answer.data.toUpperCase();
    weigh(`GET DATA ${tag.toUpperCase()}`, tag.toUpperCase() === "9F7F" ? 2 : 1, same);
  }
  return { name: p.name, title: p.title, score, agrees, differs };
}

/** Every profile weighed, the closest first (ties keep the profiles' order). */
export function rankProfiles(card: ObservedCard, profiles: readonly ProfileFacts[]): Resemblance[] {
  return profiles.map((p) => resemble(card, p)).sort((a, b) => b.score - a.score);
}
