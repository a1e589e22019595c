/**
 * The dashboard's card administration beyond install and delete: create a
 * supplementary security domain, personalise with STORE DATA, lock and
 * unlock the card (src/host/gp/domains.ts), each in one authenticated
 * session with the page's keys. Each returns one line for the page.
 */
import { fromHex, hexProblem, toHex } from "../stack/bytes.ts";
import { UsageError } from "../stack/errors.ts";
import { aidFromText } from "../stack/aid.ts";
import { parsePrivileges } from "../stack/gp/privileges.ts";
import type { StoreDataFormat } from "../stack/gp/store-data.ts";
import { createDomain, personalize, setCardState } from "../host/gp/domains.ts";
import type { OpContext } from "./deps.ts";
import { session } from "./gp-ops.ts";

/** Bytes of STORE DATA the page may send at once: a personalisation script, not a bulk upload. */
const MAX_STORE_DATA = 16 * 1024;
const FORMATS: readonly StoreDataFormat[] = ["ber-tlv", "dgi", "none"];

function aidOf(text: string, what: string): Uint8Array {
  const aid = aidFromText(text.trim());
  if (aid === undefined) throw new UsageError(`${what} '${text}' is not an AID: give 5 to 16 bytes in hex`);
  return aid;
}

/** INSTALL [for install] of the SD module: `privileges` by name, comma-separated (security-domain is added). */
export async function createDomainOp(ctx: OpContext, aidText: string, privileges: string): Promise<string> {
  const aid = aidOf(aidText, "Security domain AID");
  let bits = 0;
  try {
    bits = privileges.trim() === "" ? 0 : parsePrivileges(privileges);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error), { cause: error });
  }
  await createDomain(await session(ctx), aid, { privileges: bits });
  return `Created security domain ${toHex(aid)}: put its keys before loading into it (webcard put-key --sd ${toHex(aid)})`;
}

/** STORE DATA of `dataHex` to the application or security domain `aidText` (the ISD's own data when it is the ISD). */
export async function storeDataOp(ctx: OpContext, aidText: string, dataHex: string, format: string): Promise<string> {
  const aid = aidOf(aidText, "Application AID");
  const text = dataHex.replace(/\s+/g, "");
  const problem = hexProblem(text);
  if (text === "" || problem !== undefined) throw new UsageError(`The data is not hex${problem ? `: ${problem}` : ""}: give the bytes to store as hex digits`);
  const data = fromHex(text);
  if (data.length > MAX_STORE_DATA) throw new UsageError(`${data.length} bytes of data exceed the page's ${MAX_STORE_DATA}: use webcard store-data --file`);
  if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`Unknown data format '${format}': use ber-tlv, dgi or none`);
  const s = await session(ctx);
  // The session's SD takes its own data directly; an application through INSTALL [for personalization].
  const own = toHex(aid) === toHex(s.isd);
  await personalize(s, own ? undefined : aid, [data], { format: format as StoreDataFormat });
  return `Stored ${data.length} bytes (${format}) in ${toHex(aid)}`;
}

/** SET STATUS of the card: CARD_LOCKED or back to SECURED. */
export async function cardLockOp(ctx: OpContext, locked: boolean): Promise<string> {
  await setCardState(await session(ctx), locked ? "lock" : "unlock");
  return locked ? "Card locked: only the ISD answers until it is unlocked" : "Card unlocked (SECURED)";
}
