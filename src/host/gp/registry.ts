/**
 * Read the card's registry with GET STATUS: every page (6310 asks for the
 * next one), in the tagged format, falling back to the legacy format of
 * GP 2.1.1 cards that refuse P2 02 with 6A86.
 */
import { inTransaction, send, type Transport } from "../../stack/transport/transport.ts";
import { getStatus, type StatusSubset } from "../../stack/gp/commands.ts";
import { parseRegistryEntries, parseLegacyEntries, type RegistryEntry } from "../../stack/gp/registry.ts";
import { SW } from "../../stack/status-words.ts";
import { check } from "../../stack/check.ts";
import { SwError, TransportError } from "../../stack/errors.ts";
import type { GpSession } from "./session.ts";

/** More pages than any registry has: a card that keeps answering 6310 is broken. */
const MAX_PAGES = 128;

/**
 * Every entry of one registry subset (those whose AID begins with `aid`, when
 * given); empty when the card answers 6A88 (nothing there).
 */
export async function getStatusAll(transport: Transport, subset: StatusSubset, aid?: Uint8Array): Promise<RegistryEntry[]> {
  let legacy = false;
  let r = await send(transport, getStatus(subset, false, false, aid));
  if (r.sw === SW.INCORRECT_P1P2 || r.sw === SW.WRONG_P1P2) {
    legacy = true;
    r = await send(transport, getStatus(subset, false, true, aid));
  }
  const out: RegistryEntry[] = [];
  for (let page = 1; ; page++) {
    if (r.sw === SW.REFERENCED_DATA_NOT_FOUND) return out;
    check(r, "GET STATUS", SW.WARNING_MORE_DATA);
    out.push(...(legacy ? parseLegacyEntries(r.data, subset) : parseRegistryEntries(r.data, subset)));
    if (r.sw !== SW.WARNING_MORE_DATA) return out;
    if (page >= MAX_PAGES) {
      throw new TransportError("protocol", `Card kept answering 6310 (more data) after ${MAX_PAGES} GET STATUS pages`);
    }
    r = await send(transport, getStatus(subset, true, legacy, aid));
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
