/**
 * Read the card's registry with GET STATUS: every page (6310 asks for the
 * next one), in the tagged format, falling back to the legacy format of
 * GP 2.1.1 cards that refuse P2 02 (quirk legacyGetStatus).
 */
import { inTransaction, send, type Transport } from "../../stack/transport/transport.ts";
import { getStatus, type StatusSubset } from "../../stack/gp/commands.ts";
import { hasPackedEntries, parseRegistryEntries, parseLegacyEntries, type RegistryEntry } from "../../stack/gp/registry.ts";
import { SW, swHex } from "../../stack/status-words.ts";
import { check } from "../../stack/check.ts";
import { FormatError, SwError, TransportError, WebcardError } from "../../stack/errors.ts";
import { concat } from "../../stack/bytes.ts";
import { parseTlvs } from "../../stack/tlv.ts";
import type { QuirkSink } from "../../stack/gp/quirks.ts";
import type { GpSession } from "./session.ts";

/** More pages than any registry has: a card that keeps answering 6310 is broken. */
const MAX_PAGES = 128;

/** Answers to GET STATUS P2 02 from cards that know only the legacy format (GP 2.1.1): 6A86, and 6A80 on sysmoISIM. */
const LEGACY_ONLY: readonly number[] = [SW.INCORRECT_P1P2, SW.WRONG_P1P2, SW.WRONG_DATA];

/**
 * Every entry of one registry subset (those whose AID begins with `aid`, when
 * given); empty when the card answers 6A88 (nothing there). The pages are
 * joined before they are parsed: a card may cut an entry across two
 * (JCOP4, quirk getStatusSplitEntry).
 */
export async function getStatusAll(transport: Transport, subset: StatusSubset, aid?: Uint8Array, onQuirk?: QuirkSink): Promise<RegistryEntry[]> {
  let legacy = false;
  let r = await send(transport, getStatus(subset, false, false, aid));
  if (LEGACY_ONLY.includes(r.sw)) {
    const tagged = r.sw;
    r = await send(transport, getStatus(subset, false, true, aid));
    // A card that refuses both formats keeps its first answer: that is the one that says why.
    if (!r.ok && r.sw !== SW.WARNING_MORE_DATA && r.sw !== SW.REFERENCED_DATA_NOT_FOUND) check(tagged, "GET STATUS");
    legacy = true;
    onQuirk?.("legacyGetStatus", `P2 02 answered ${swHex(tagged)}`);
  }
  const pages: Uint8Array[] = [];
  for (let page = 1; ; page++) {
    if (r.sw === SW.REFERENCED_DATA_NOT_FOUND) break;
    check(r, "GET STATUS", SW.WARNING_MORE_DATA);
    pages.push(r.data);
    if (r.sw !== SW.WARNING_MORE_DATA) break;
    if (page >= MAX_PAGES) {
      throw new TransportError("protocol", `Card kept answering 6310 (more data) after ${MAX_PAGES} GET STATUS pages`);
    }
    r = await send(transport, getStatus(subset, true, legacy, aid));
  }
  const data = concat(...pages);
  try {
    if (legacy) return parseLegacyEntries(data, subset);
    const entries = parseRegistryEntries(data, subset);
    if (onQuirk && pages.length > 1 && pages.some((p) => !parses(p))) onQuirk("getStatusSplitEntry");
    if (onQuirk && hasPackedEntries(data)) onQuirk("getStatusOneTemplate");
    return entries;
  } catch (error) {
    if (!(error instanceof FormatError) || (pages[pages.length - 1]?.length ?? 0) < 0xfe) throw error;
    // A full page ending inside an entry, with 9000: the card did not say 6310 (GlobalPlatformPro #327).
    throw new WebcardError(`GET STATUS (${subset}) ends inside an entry with 9000 instead of 6310: the card's registry cannot be read whole`, {
      cause: error,
      hint: "the card's answer is cut; list a narrower part (an AID prefix) if the command offers it",
    });
  }
}

function parses(page: Uint8Array): boolean {
  try {
    parseTlvs(page);
    return true;
  } catch {
    return false;
  }
}

/** The whole registry. */
export interface Registry {
  isd: RegistryEntry[];
  /** Applications and supplementary security domains. */
  apps: RegistryEntry[];
  /** Executable load files (packages), with their modules when the card tells. */
  loadFiles: RegistryEntry[];
}

/** List the card: ISD, applications and domains, load files with their modules; GET STATUS pages in one transaction. */
export function list(session: GpSession): Promise<Registry> {
  return inTransaction(session.channel, "list", () => readRegistry(session));
}

async function readRegistry(session: GpSession): Promise<Registry> {
  const t = session.channel;
  const isd = await getStatusAll(t, "isd");
  const apps = await getStatusAll(t, "apps");
  let loadFiles: RegistryEntry[];
  try {
    loadFiles = await getStatusAll(t, "load-files-and-modules");
  } catch (error) {
    // Some cards know only P1 20 (load files without modules).
    if (!(error instanceof SwError)) throw error;
    loadFiles = await getStatusAll(t, "load-files");
  }
  return { isd, apps, loadFiles };
}
