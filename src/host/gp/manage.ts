/**
 * Card content management on single AIDs: DELETE, lock and unlock (SET
 * STATUS), make default (INSTALL [for make selectable] with card reset).
 */
import { inTransaction, send } from "../../stack/transport/transport.ts";
import { deleteAid as deleteCommand, setStatus } from "../../stack/gp/commands.ts";
import { installForMakeSelectable } from "../../stack/gp/install.ts";
import { APP_LIFECYCLE, PRIV1 } from "../../stack/gp/constants.ts";
import { SW, swHex } from "../../stack/status-words.ts";
import { check } from "../../stack/check.ts";
import { SwError, WebcardError } from "../../stack/errors.ts";
import { equal, toHex } from "../../stack/bytes.ts";
import { getStatusAll } from "./registry.ts";
import type { GpSession } from "./session.ts";
import { AidNotFoundError } from "./not-found.ts";

function notFound(sw: number): boolean {
  return sw === SW.REFERENCED_DATA_NOT_FOUND || sw === SW.FILE_NOT_FOUND;
}

/**
 * DELETE an application, security domain or package; `force` also deletes
 * related objects (a package's instances). `kind`, when the caller read the
 * registry, words the refusal: only a package has instances `--force` removes.
 */
export function deleteAid(session: GpSession, aid: Uint8Array, options: DeleteOptions = {}): Promise<void> {
  return inTransaction(session.channel, "delete", () => sendDelete(session, aid, options));
}

export interface DeleteOptions {
  force?: boolean;
  kind?: "package" | "application" | "security domain";
}

async function sendDelete(session: GpSession, aid: Uint8Array, options: DeleteOptions): Promise<void> {
  const r = await send(session.channel, deleteCommand(aid, options.force === true));
  if (notFound(r.sw)) throw new AidNotFoundError("DELETE", "Application", aid, r.sw, "see 'webcard list'");
  if (r.sw === SW.CONDITIONS_NOT_SATISFIED && !options.force) {
    const isPackage = options.kind === undefined || options.kind === "package";
    throw new WebcardError(
      isPackage
        ? `Cannot delete ${toHex(aid)}: other objects depend on it (${swHex(r.sw)})`
        : `The card refuses to delete the ${options.kind} ${toHex(aid)} (${swHex(r.sw)})`,
      {
        cause: new SwError("DELETE", r.sw),
        ...(isPackage ? { hint: "delete its instances first, or use --force to delete them too" } : {}),
      },
    );
  }
  check(r, "DELETE");
}

async function setAppStatus(session: GpSession, aid: Uint8Array, state: number, operation: string): Promise<void> {
  // One command, but it must reach the card inside the session that authenticated it.
  const r = await inTransaction(session.channel, operation, () => send(session.channel, setStatus("app", state, aid)));
  if (notFound(r.sw)) throw new AidNotFoundError(operation, "Application", aid, r.sw, "see 'webcard list'");
  if (r.sw === SW.CONDITIONS_NOT_SATISFIED) {
    // GP 11.10.2.2: locking a locked application (or unlocking one that is not) is refused; say which it is.
    const entry = (await getStatusAll(session.channel, "apps", aid)).find((e) => equal(e.aid, aid));
    const locked = entry !== undefined && (entry.lifecycle & APP_LIFECYCLE.LOCKED_BIT) !== 0;
    const wantLocked = state === APP_LIFECYCLE.LOCKED_BIT;
    if (entry !== undefined && locked === wantLocked) {
      throw new WebcardError(`Application ${toHex(aid)} is ${locked ? "already locked" : "not locked"}: nothing to do`, {
        cause: new SwError(operation, r.sw),
      });
    }
  }
  check(r, operation);
}

/** Lock an application (SET STATUS, b8 set, GP 11.10.2.2). */
export function lock(session: GpSession, aid: Uint8Array): Promise<void> {
  return setAppStatus(session, aid, APP_LIFECYCLE.LOCKED_BIT, "SET STATUS (lock)");
}

/** Unlock an application: b8 clear; the card restores the state before the lock. */
export function unlock(session: GpSession, aid: Uint8Array): Promise<void> {
  return setAppStatus(session, aid, 0x00, "SET STATUS (unlock)");
}

/** Make an instance the default selected application (card-reset privilege, GP 6.6.1). */
export async function makeDefault(session: GpSession, aid: Uint8Array): Promise<void> {
  const r = await inTransaction(session.channel, "make default", () => send(session.channel, installForMakeSelectable(aid, PRIV1.CARD_RESET << 16)));
  if (notFound(r.sw)) throw new AidNotFoundError("INSTALL [for make selectable]", "Application", aid, r.sw);
  if (r.sw === SW.CONDITIONS_NOT_SATISFIED) {
    // GP 11.5.2.3.3: make selectable applies to an INSTALLED application; another default blocks it too.
    throw new WebcardError(`The card will not make ${toHex(aid)} the default application (${swHex(r.sw)})`, {
      cause: new SwError("INSTALL [for make selectable]", r.sw),
      hint: "it must be installed but not yet selectable, and no other application may hold card-reset: install it with --default",
    });
  }
  check(r, "INSTALL [for make selectable]");
}
