/**
 * What `delete` may remove, decided before any DELETE reaches the card.
 *
 * GP 2.3.1 section 11.2 lets a card refuse a DELETE (6985) without saying why,
 * and a card's refusal is the last line of defence, not the first: some cards
 * would delete a security domain with its keys, or an API package, and leave
 * nothing a user can recover. So the registry entry is read first (GET STATUS
 * with the AID as search criterion, section 11.4.2.3), and the card's own
 * infrastructure (the ISD, a security domain, webcard's link application, the
 * Java Card and GlobalPlatform API packages) is refused in one line with its
 * own reason, never with advice to force it.
 */
import { equal as equalBytes, toHex } from "../../stack/bytes.ts";
import { WebcardError } from "../../stack/errors.ts";
import { LINK_AID } from "../../stack/link/constants.ts";
import { packageNameOf } from "../../stack/cap/javacard-api.ts";
import type { RegistryEntry } from "../../stack/gp/registry.ts";
import type { StatusSubset } from "../../stack/gp/commands.ts";
import { SwError } from "../../stack/errors.ts";
import { getStatusAll } from "./registry.ts";
import { deleteAid, lock, unlock } from "./manage.ts";
import type { GpSession } from "./session.ts";

/** What a DELETE removed, in the words `delete` prints. */
export type DeletedKind = "package" | "application" | "security domain";

/** A delete webcard refuses because the object is part of the card itself. */
export class ProtectedObjectError extends WebcardError {
  override name = "ProtectedObjectError";
}

/** The card's entry for exactly `aid` (ISD, applications and domains, then load files), or undefined. */
export async function findEntry(session: GpSession, aid: Uint8Array): Promise<RegistryEntry | undefined> {
  const subsets: StatusSubset[] = ["isd", "apps", "load-files"];
  for (const subset of subsets) {
    let entries: RegistryEntry[];
    try {
      entries = await getStatusAll(session.channel, subset, aid);
    } catch (error) {
      // A card that refuses this search criterion still gets the DELETE and answers for itself.
      if (error instanceof SwError) continue;
      throw error;
    }
    const hit = entries.find((e) => equalBytes(e.aid, aid));
    if (hit) return hit;
  }
  return undefined;
}

/** Why `entry` must not be deleted, in one line, or undefined when it may be. */
export function protectedReason(entry: Pick<RegistryEntry, "kind" | "aid"> & { loadFileAid?: Uint8Array | undefined }): string | undefined {
  const aid = toHex(entry.aid);
  if (entry.kind === "isd") {
    return `${aid} is the card's issuer security domain (the card manager): it cannot be deleted`;
  }
  if (equalBytes(entry.aid, LINK_AID)) {
    return `${aid} is webcard's link application: the card's own web server and loader run through it, so it is not deleted`;
  }
  if (entry.kind === "domain") {
    return `${aid} is a security domain: its keys and the applications associated with it depend on it, so webcard does not delete it`;
  }
  if (entry.kind === "load-file") {
    const name = packageNameOf(aid);
    if (name !== undefined) return `${aid} is ${name}, part of the card's platform: applets need it, so it is not deleted`;
    // A package of an extended CAP file (JCVM 3.1 §6.4): the card lists it with C4 naming its CAP file.
    if (entry.loadFileAid && !equalBytes(entry.loadFileAid, entry.aid)) {
      const file = toHex(entry.loadFileAid);
      return `${aid} is a package of CAP file ${file}, loaded as one load file: its packages can only be deleted together, by deleting ${file}`;
    }
  }
  return undefined;
}

/** The word for what `entry` is. */
export function kindWord(entry: Pick<RegistryEntry, "kind">): DeletedKind {
  if (entry.kind === "load-file") return "package";
  if (entry.kind === "app") return "application";
  return "security domain";
}

/**
 * Delete `aid` after checking it is not part of the card itself. Returns what
 * was deleted (undefined when the card's registry did not show it, and the
 * card accepted the DELETE all the same).
 */
export async function deleteChecked(
  session: GpSession,
  aid: Uint8Array,
  options: { force?: boolean } = {},
): Promise<DeletedKind | undefined> {
  const entry = await findEntry(session, aid);
  // An AID outside the registry is still checked by value: the link application and API packages by their AIDs.
  const reason = entry ? protectedReason(entry) : protectedReason({ kind: "load-file", aid }) ?? linkReason(aid);
  if (reason !== undefined) throw new ProtectedObjectError(`Refused: ${reason}`);
  await deleteAid(session, aid, { ...options, ...(entry ? { kind: kindWord(entry) } : {}) });
  return entry ? kindWord(entry) : undefined;
}

function linkReason(aid: Uint8Array): string | undefined {
  return equalBytes(aid, LINK_AID) ? protectedReason({ kind: "app", aid }) : undefined;
}

/** The line `delete` prints, the same in the CLI and the dashboard: "Deleted package 0102030405 and its related objects". */
export function deletedLine(kind: DeletedKind | undefined, aid: Uint8Array, force: boolean): string {
  const related = force && kind !== "application" ? " and its related objects" : "";
  return `Deleted ${kind ?? "object"} ${toHex(aid)}${related}`;
}

/**
 * Lock or unlock `aid`, refusing in one line to lock webcard's link
 * application: the card's own web server and loader run through it, and a
 * locked one cannot be selected to unlock it over the web path. Unlocking is
 * always sent, so a card locked before this check can be repaired.
 */
export async function setLockedChecked(session: GpSession, aid: Uint8Array, locked: boolean): Promise<void> {
  if (locked && equalBytes(aid, LINK_AID)) {
    throw new ProtectedObjectError(`Refused: ${toHex(aid)} is webcard's link application: the card's own web server and loader run through it, so it is not locked`);
  }
  await (locked ? lock : unlock)(session, aid);
}
