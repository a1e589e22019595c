/**
 * Security domains and the card's life cycle from the terminal (GP 2.3.1
 * sections 7.2, 9.4, 11.2.2.2, 11.5.2.3, 11.10, 11.11): create an SSD, move
 * content between SDs, personalise with STORE DATA, put DAP and token keys,
 * delete keys, change the card's life cycle state. Each function sends its
 * commands through `session.channel` (usually a secure channel to the SD
 * that must do the work) and returns the card's receipt when it gives one.
 */
import type { KeyObject } from "node:crypto";
import { inTransaction, send } from "../../stack/transport/transport.ts";
import type { CommandApdu } from "../../stack/apdu.ts";
import { check } from "../../stack/check.ts";
import { UsageError } from "../../stack/errors.ts";
import { CARD_LIFECYCLE } from "../../stack/gp/constants.ts";
import { setStatus, deleteAid, putKey as putKeyApdu } from "../../stack/gp/commands.ts";
import { installForExtradition, installForInstall, installForPersonalization } from "../../stack/gp/install.ts";
import { deleteKey, putPublicKey } from "../../stack/gp/key-commands.ts";
import { publicKeyComponents } from "../../stack/gp/signature.ts";
import { storeDataCommands, type StoreDataOptions } from "../../stack/gp/store-data.ts";
import { withSignedDeleteToken, withSignedInstallToken } from "../../stack/gp/token.ts";
import { concat, fromHex } from "../../stack/bytes.ts";
import { encodeKeyField } from "../../stack/gp/put-key.ts";
import type { GpSession } from "./session.ts";

/** The Security Domain load file and module of GlobalPlatform cards (JCOP, GlobalPlatformPro's default). */
export const SD_PACKAGE = fromHex("A0000001515350");
export const SD_MODULE = fromHex("A000000151535041");

/** The receipt a command answered with, when it is more than "no receipt" (00). */
const receiptOf = (data: Uint8Array) => (data.length > 1 ? data : undefined);

async function run(session: GpSession, command: CommandApdu, what: string): Promise<Uint8Array | undefined> {
  return receiptOf(check(await send(session.channel, command), what).data);
}

/** INSTALL [for install and make selectable] of the SD module: a new supplementary security domain. */
export async function createDomain(
  session: GpSession,
  aid: Uint8Array,
  options: { privileges?: number; params?: Uint8Array; tokenKey?: KeyObject } = {},
): Promise<Uint8Array | undefined> {
  const privileges = (options.privileges ?? 0) | 0x800000; // the Security Domain privilege makes it an SD
  const cmd = installForInstall({ packageAid: SD_PACKAGE, moduleAid: SD_MODULE, instanceAid: aid, privileges, ...(options.params ? { params: options.params } : {}) });
  return run(session, options.tokenKey ? withSignedInstallToken(cmd, options.tokenKey) : cmd, "INSTALL [for install] (security domain)");
}

/** INSTALL [for extradition]: associate an application, load file or SD with the SD `to`. */
export async function extradite(session: GpSession, aid: Uint8Array, to: Uint8Array, tokenKey?: KeyObject): Promise<Uint8Array | undefined> {
  const cmd = installForExtradition(to, aid);
  return run(session, tokenKey ? withSignedInstallToken(cmd, tokenKey) : cmd, "INSTALL [for extradition]");
}

/** DELETE with a delegated-management token when `tokenKey` is given. */
export async function deleteWithToken(session: GpSession, aid: Uint8Array, related: boolean, tokenKey?: KeyObject): Promise<Uint8Array | undefined> {
  const cmd = deleteAid(aid, related);
  return run(session, tokenKey ? withSignedDeleteToken(cmd, tokenKey) : cmd, "DELETE");
}

/**
 * STORE DATA to `app` (INSTALL [for personalization] first), or to the
 * session's security domain itself when `app` is undefined. Returns the
 * response data of the last block.
 */
export function personalize(session: GpSession, app: Uint8Array | undefined, parts: readonly Uint8Array[], options: StoreDataOptions = {}): Promise<Uint8Array> {
  const room = Math.min(255, session.blockSize);
  const commands = storeDataCommands(parts, { ...options, blockSize: options.blockSize ?? room });
  // INSTALL [for personalization] and its STORE DATA blocks are one session on the card: no other program in between.
  return inTransaction(session.channel, "store-data", async () => {
    if (app) check(await send(session.channel, installForPersonalization(app)), "INSTALL [for personalization]");
    let last: Uint8Array = new Uint8Array(0);
    for (const c of commands) last = check(await send(session.channel, c), "STORE DATA").data;
    return last;
  });
}

/** PUT KEY of a public key (DAP key: version 73, token key: version 70). */
export async function putPublic(session: GpSession, key: KeyObject, version: number, replace = false): Promise<void> {
  const c = publicKeyComponents(key);
  const value = "rsa" in c ? { kind: "rsa" as const, ...c.rsa } : { kind: "ec" as const, ...c.ec };
  check(await send(session.channel, putPublicKey(value, version, replace ? version : 0)), "PUT KEY (public key)");
}

/** DELETE key (GP 11.2.2.2). */
export async function removeKey(session: GpSession, options: { version?: number; id?: number }): Promise<void> {
  check(await send(session.channel, deleteKey(options)), "DELETE key");
}

/** Card life cycle targets by the names webcard's `card` command uses. */
export const CARD_STATES = {
  initialize: CARD_LIFECYCLE.INITIALIZED,
  secure: CARD_LIFECYCLE.SECURED,
  lock: CARD_LIFECYCLE.CARD_LOCKED,
  unlock: CARD_LIFECYCLE.SECURED,
  terminate: CARD_LIFECYCLE.TERMINATED,
} as const;

/** SET STATUS of the card (P1 80): TERMINATED needs `confirmTerminate`, for it cannot be undone. */
export async function setCardState(session: GpSession, target: keyof typeof CARD_STATES, confirmTerminate = false): Promise<void> {
  if (target === "terminate" && !confirmTerminate) {
    throw new UsageError("Terminating a card cannot be undone: the card stops answering card management for good", {
      hint: "only if that is what you want, add --yes-i-understand-terminate",
    });
  }
  check(await send(session.channel, setStatus("isd", CARD_STATES[target], session.isd)), `SET STATUS (card ${target})`);
}

/**
 * PUT KEY of one symmetric key (the ISD's receipt key, version 71): the key
 * travels encrypted under the session's DEK with its check value (11.8.2.3).
 */
export async function putSingleKey(session: GpSession, key: Uint8Array, version: number, id = 1): Promise<void> {
  const secure = session.secure;
  if (!secure) throw new UsageError("PUT KEY needs a secure channel: authenticate first");
  const type = secure.scp === 3 ? "AES" : "3DES";
  const field = encodeKeyField(key, type, secure.dek, type);
  check(await send(session.channel, putKeyApdu(0, id, false, concat(version, field))), "PUT KEY");
}
