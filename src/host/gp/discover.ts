/**
 * Find and select the card's Issuer Security Domain: the AID the user named,
 * else the default-selected application when its FCI says it is a security
 * domain, else the default ISD AIDs in the order peers try them.
 */
import { send, type Transport } from "../../stack/transport/transport.ts";
import { select } from "../../stack/gp/commands.ts";
import { parseFci, type Fci } from "../../stack/gp/fci.ts";
import { DEFAULT_ISD_AIDS } from "../../stack/gp/constants.ts";
import { fromHex, toHex, equal } from "../../stack/bytes.ts";
import { SW } from "../../stack/status-words.ts";
import { WebcardError } from "../../stack/errors.ts";
import { AidNotFoundError } from "./not-found.ts";

export interface Isd {
  aid: Uint8Array;
  fci: Fci;
}

function safeFci(data: Uint8Array): Fci {
  try {
    return parseFci(data);
  } catch {
    return {}; // A malformed FCI is not a reason to give up: the AID we asked for is known.
  }
}

/** Select the ISD and return its AID and FCI. Leaves the ISD selected. */
export async function discoverIsd(transport: Transport, isd?: Uint8Array): Promise<Isd> {
  if (isd) {
    const r = await send(transport, select(isd));
    if (r.sw === SW.FILE_NOT_FOUND || r.sw === SW.REFERENCED_DATA_NOT_FOUND) {
      throw new AidNotFoundError("SELECT", "Security domain", isd, r.sw, "check --isd");
    }
    if (!r.ok) throw new WebcardError(`SELECT of security domain ${toHex(isd)} failed with ${r.toString()}`);
    return { aid: isd, fci: safeFci(r.data) };
  }
  // SELECT with no AID selects the default application, normally the ISD (GP 11.9.2.1).
  const first = await send(transport, select(new Uint8Array(0)));
  if (first.ok) {
    const fci = safeFci(first.data);
    const known = fci.aid !== undefined && DEFAULT_ISD_AIDS.some((a) => equal(fromHex(a), fci.aid!));
    if (fci.aid && (fci.recognition !== undefined || known)) return { aid: fci.aid, fci };
  }
  for (const hex of DEFAULT_ISD_AIDS) {
    const aid = fromHex(hex);
    const r = await send(transport, select(aid));
    if (r.ok) {
      const fci = safeFci(r.data);
      return { aid: fci.aid ?? aid, fci };
    }
  }
  throw new WebcardError("No GlobalPlatform security domain answered on this card", {
    hint: `tried ${DEFAULT_ISD_AIDS.join(", ")}; name it with --isd AID`,
  });
}
