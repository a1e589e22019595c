/**
 * `webcard doctor`: what a card in a reader is, for a support ticket. It
 * reads only what the card tells without authentication (GET DATA, the
 * ISD's FCI) and, when asked, the ISD's INITIALIZE UPDATE answer (no
 * EXTERNAL AUTHENTICATE follows it, so no authentication is tried; the
 * card's sequence counter moves). A card that stops answering part-way
 * still gets a report of what was read, with the one line that stopped it.
 */
import { inTransaction, send, type Transport } from "../../stack/transport/transport.ts";
import { CommandApdu } from "../../stack/apdu.ts";
import { getData } from "../../stack/gp/commands.ts";
import { atrProtocol, parseAtr, type AtrInfo } from "../../stack/atr.ts";
import { nameCplc, type CplcNames } from "../../stack/gp/cplc-names.ts";
import { toHex } from "../../stack/bytes.ts";
import { hexNumber } from "../../stack/hex.ts";
import { WebcardError } from "../../stack/errors.ts";
import type { Quirk } from "../../stack/gp/quirks.ts";
import { SW } from "../../stack/status-words.ts";
import { info, type CardInfo } from "./info.ts";
import { rankProfiles, type ObservedCard, type ProfileFacts, type Resemblance } from "./resemblance.ts";

/** What INITIALIZE UPDATE answered (GP 2.3.1 E.5.1.6, amendment D 7.1.1.6): identifiers only. */
export interface InitUpdateFacts {
  sw: number;
  scp?: number;
  i?: number;
  keyVersion?: number;
  kdd?: string;
  /** SCP02 sequence counter or SCP03 (pseudo-random) counter, hex. */
  counter?: string;
}

export interface DoctorReport {
  atr: string;
  atrInfo?: AtrInfo;
  atrProblem?: string;
  protocol: string;
  info?: CardInfo;
  /** The line that stopped the unauthenticated reads, when one did. */
  problem?: string;
  cplcNames?: CplcNames;
  /** GET DATA FF21 (extended card resources), raw. */
  resources?: Uint8Array;
  /** Java Card major version from the card recognition data (tag 66's OID 1.3.6.1.4.1.42.2.110.1.N). */
  javaCard?: string;
  initUpdate?: InitUpdateFacts;
  quirks: Quirk[];
  /** Profiles, closest first (the first three). */
  resembles: Resemblance[];
}

export interface DoctorOptions {
  atr: Uint8Array;
  /** The reader's protocol; from the ATR when absent. */
  protocol?: string;
  isd?: Uint8Array;
  /** Also send INITIALIZE UPDATE (key version `keyVersion`, default 0) for the SCP, i, key version and KDD. */
  initUpdate?: boolean;
  keyVersion?: number;
  profiles?: readonly ProfileFacts[];
}

/** Java Card's OID arc in the card recognition data (GP 2.3.1 H.2, tag 66). */
const JAVA_CARD_OID = "1.3.6.1.4.1.42.2.110.1.";

/** Examine the card on `transport`. Never authenticates. */
export function doctor(transport: Transport, options: DoctorOptions): Promise<DoctorReport> {
  return inTransaction(transport, "doctor", () => examine(transport, options));
}

async function examine(transport: Transport, options: DoctorOptions): Promise<DoctorReport> {
  const report: DoctorReport = { atr: toHex(options.atr), protocol: options.protocol ?? "T=1", quirks: [], resembles: [] };
  try {
    report.atrInfo = parseAtr(options.atr);
    report.protocol = options.protocol ?? atrProtocol(options.atr);
  } catch (error) {
    report.atrProblem = error instanceof Error ? error.message : String(error);
  }
  if (report.protocol === "T=0") report.quirks.push("t0ResponseWaiting");
  try {
    const card = await info(transport, options.isd ? { isd: options.isd } : {});
    report.info = card;
    report.quirks.push(...(card.quirks ?? []));
    if (card.cplc) report.cplcNames = nameCplc(card.cplc);
    if (!card.cplc || report.cplcNames?.placeholder) report.quirks.push("noCplc");
    if (card.fci.maxCommandData !== undefined && card.fci.maxCommandData !== 255) report.quirks.push("maxBlockSize");
    const rec = card.recognition ?? card.fci.recognition;
    const jc = rec?.oids.find((o) => o.oid.startsWith(JAVA_CARD_OID));
    if (jc) report.javaCard = `${jc.oid.slice(JAVA_CARD_OID.length)} (card recognition data, OID ${jc.oid})`;
    const resources = await send(transport, getData(0xff21));
    if (resources.ok && resources.data.length > 0) report.resources = resources.data;
    if (options.initUpdate) report.initUpdate = await initializeUpdate(transport, options.keyVersion ?? 0);
    if (report.initUpdate?.scp === 1) report.quirks.push("scp01");
  } catch (error) {
    if (!(error instanceof WebcardError)) throw error;
    report.problem = error.message;
  }
  report.resembles = rankProfiles(observed(report), options.profiles ?? []).slice(0, 3);
  return report;
}

/** INITIALIZE UPDATE with a random host challenge; only identifiers are kept (the cryptogram proves nothing without keys). */
async function initializeUpdate(transport: Transport, keyVersion: number): Promise<InitUpdateFacts> {
  const challenge = crypto.getRandomValues(new Uint8Array(8));
  const r = await send(transport, new CommandApdu({ cla: 0x80, ins: 0x50, p1: keyVersion, p2: 0x00, data: challenge, ne: 256 }));
  if (r.sw !== SW.OK || r.data.length < 28) return { sw: r.sw };
  const d = r.data;
  const scp = d[11]!;
  const out: InitUpdateFacts = { sw: r.sw, scp, keyVersion: d[10]!, kdd: toHex(d.subarray(0, 10)) };
  if (scp === 3) {
    out.i = d[12]!;
    if (d.length >= 32) out.counter = toHex(d.subarray(29, 32));
  } else if (scp === 2) {
    out.counter = toHex(d.subarray(12, 14));
  }
  return out;
}

/** The report's facts as the resemblance weighs them. */
function observed(report: DoctorReport): ObservedCard {
  const card = report.info;
  const rec = card?.recognition ?? card?.fci.recognition;
  const out: ObservedCard = { atr: report.atr, protocol: report.protocol, keyVersions: [], getData: {} };
  if (report.atrInfo) out.historical = toHex(report.atrInfo.historical);
  if (!card) return out;
  out.isd = toHex(card.isd);
  const fciRec = card.fci.recognition;
  out.recognitionData = !fciRec ? "none" : fciRec.gpVersion === undefined && fciRec.scps.length === 0 ? "oid-only" : "full";
  if (card.fci.productionData) out.productionData = toHex(card.fci.productionData);
  if (card.fci.maxCommandData !== undefined) out.maxCommandData = card.fci.maxCommandData;
  if (rec?.gpVersion) out.gpVersion = rec.gpVersion;
  const iu = report.initUpdate;
  if (iu?.scp !== undefined) out.scp = { scp: iu.scp, i: iu.i ?? rec?.scps.find((s) => s.scp === iu.scp)?.i ?? 0 };
  else if (rec?.scps[0]) out.scp = rec.scps[0];
  out.keyVersions = iu?.keyVersion !== undefined ? [iu.keyVersion] : [...new Set((card.keys ?? []).map((k) => k.version))];
  if (iu?.kdd) out.kdd = iu.kdd;
  if (card.cplcRaw) out.getData["9F7F"] = { data: toHex(card.cplcRaw) };
  for (const [tag, sw] of Object.entries(card.refused ?? {})) out.getData[tag] = { sw: hexNumber(sw, 4) };
  return out;
}
