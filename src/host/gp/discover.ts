/**
 * Find and select the card's Issuer Security Domain: the AID the user named,
 * else the default-selected application when its FCI says it is a security
 * domain, else the ISD AIDs cards use (DEFAULT_ISD_AIDS), in that order.
 * Every SELECT carries Le 00: some cards send no FCI without it (REAL-CARDS.md
 * quirk 2). A card in a state with no ISD yet is named in one line.
 */
import { send, type Transport } from "../../stack/transport/transport.ts";
import { select } from "../../stack/gp/commands.ts";
import { parseFci, type Fci } from "../../stack/gp/fci.ts";
import { DEFAULT_ISD_AIDS } from "../../stack/gp/constants.ts";
import { fromHex, toHex, equal } from "../../stack/bytes.ts";
import { SW, swHex } from "../../stack/status-words.ts";
import { WebcardError } from "../../stack/errors.ts";
import type { Quirk } from "../../stack/gp/quirks.ts";
import { AidNotFoundError } from "./not-found.ts";

export interface Isd {
  aid: Uint8Array;
  fci: Fci;
  /** The quirks met while finding it (quirks.ts). */
  quirks: Quirk[];
}

function safeFci(data: Uint8Array): Fci {
  try {
    return parseFci(data);
  } catch {
    return {}; // A malformed FCI is not a reason to give up: the AID we asked for is known.
  }
}

/** NXP's JCOP identify application: unfused parts answer it with data and 6A82 (GlobalPlatformPro #121). */
const JCOP_IDENTIFY = fromHex("A000000167413000FF");

/** Select the ISD and return its AID and FCI. Leaves the ISD selected. */
export async function discoverIsd(transport: Transport, isd?: Uint8Array): Promise<Isd> {
  if (isd) {
    const r = await send(transport, select(isd));
    if (r.sw === SW.FILE_NOT_FOUND || r.sw === SW.REFERENCED_DATA_NOT_FOUND) {
      throw new AidNotFoundError("SELECT", "Security domain", isd, r.sw, "check --isd");
    }
    if (!r.ok) throw new WebcardError(`SELECT of security domain ${toHex(isd)} failed with ${r.toString()}`);
    return { aid: isd, fci: safeFci(r.data), quirks: r.data.length === 0 ? ["selectWithoutFci"] : [] };
  }
  // SELECT with no AID selects the default application, normally the ISD (GP 11.9.2.1).
  const first = await send(transport, select(new Uint8Array(0)));
  if (first.ok) {
    const fci = safeFci(first.data);
    const known = fci.aid !== undefined && DEFAULT_ISD_AIDS.some((a) => equal(fromHex(a), fci.aid!));
    if (fci.aid && (known || isSecurityDomainFci(fci))) {
      const quirks: Quirk[] = known ? (equal(fci.aid, fromHex(DEFAULT_ISD_AIDS[0])) ? [] : ["isdAtOtherAid"]) : ["isdDefaultSelectedOnly"];
      return { aid: fci.aid, fci, quirks };
    }
  }
  for (const hex of DEFAULT_ISD_AIDS) {
    const aid = fromHex(hex);
    const r = await send(transport, select(aid));
    if (r.ok) {
      const fci = safeFci(r.data);
      const quirks: Quirk[] = hex === DEFAULT_ISD_AIDS[0] ? [] : ["isdAtOtherAid"];
      if (r.data.length === 0) quirks.push("selectWithoutFci");
      return { aid: fci.aid ?? aid, fci, quirks };
    }
  }
  throw await notReady(transport, first.sw);
}

/**
 * A security domain's FCI (GP 2.3.1 11.9.3.1): proprietary data A5 with
 * 9F65 or security domain management data 73; an applet's FCI has neither.
 */
function isSecurityDomainFci(fci: Fci): boolean {
  return fci.recognition !== undefined || fci.maxCommandData !== undefined;
}

/** The one line for a card where no ISD answered, naming the state the card's answers show (quirk cardNotReady). */
async function notReady(transport: Transport, firstSw: number): Promise<WebcardError> {
  const tried = `tried the default application and ${DEFAULT_ISD_AIDS.join(", ")}`;
  if (firstSw === SW.INS_NOT_SUPPORTED || firstSw === SW.CLA_NOT_SUPPORTED) {
    return new WebcardError(
      `The card refuses SELECT itself (${swHex(firstSw)}): it is not an initialised GlobalPlatform card (an uninitialised ACOSJ or a GSM-only SIM answers so)`,
      { hint: `${tried}; nothing was changed on the card. A card awaiting its vendor's initialisation needs the vendor's tool` },
    );
  }
  const identify = await send(transport, select(JCOP_IDENTIFY));
  if (identify.sw === SW.FILE_NOT_FOUND && identify.data.length >= 15) {
    return new WebcardError("The card is an unfused NXP JCOP (pre-personalisation state): it has no security domain yet", {
      hint: `its identify application answered ${identify.data.length} bytes with 6A82; the card's vendor or reseller fuses it, webcard does not`,
    });
  }
  return new WebcardError("No GlobalPlatform security domain answered on this card", { hint: `${tried}; name it with --isd AID` });
}
