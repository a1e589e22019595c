/**
 * INSTALL [for extradition] (GP 2.3.1 section 11.5.2.3.4) and [for registry
 * update] (11.5.2.3.5): moving an application, a load file or a security
 * domain to another security domain, and changing an application's
 * privileges.
 *
 *   extradition:      SD AID | 00 | application or load file AID | 00 | params | token
 *   registry update:  [SD AID] | 00 | application AID | [privileges] | params | token
 */
import { equal, toHex } from "../../stack/bytes.ts";
import { SW } from "../../stack/status-words.ts";
import type { AppContext } from "../application.ts";
import { refuse } from "../refusal.ts";
import { receipt } from "./authority.ts";
import { domain, isWithin, owns, requireUsableDomain, type Domain } from "./domains.ts";
import { normalisePrivileges } from "./install-checks.ts";
import type { IsdEnv } from "./isd-state.ts";

/** Move an application or load file to the SD named in field 1; the receipt when delegated. */
export function extradite(op: string, env: IsdEnv, sd: Domain, fields: readonly Uint8Array[], ctx: AppContext, mode: "authorized" | "delegated"): Uint8Array {
  const [to, , aid] = fields as [Uint8Array, Uint8Array, Uint8Array];
  const target = domain(env, to);
  if (!target) refuse(op, SW.REFERENCED_DATA_NOT_FOUND, `security domain ${toHex(to) || "(empty AID)"} is not on the card`);
  requireUsableDomain(op, target);
  moveTo(op, env, sd, aid, target);
  ctx.log(`${op}: ${toHex(aid)} now associated with ${toHex(target.aid)}`);
  return mode === "delegated" ? receipt(env, [target.aid, aid]) : Uint8Array.of(0);
}

function moveTo(op: string, env: IsdEnv, sd: Domain, aid: Uint8Array, target: Domain): void {
  const reg = env.registry;
  if (equal(aid, env.manager.isdAid)) refuse(op, SW.CONDITIONS_NOT_SATISFIED, "the ISD cannot be moved");
  const app = reg.application(aid);
  const file = app ? undefined : reg.loadFile(aid);
  if ((!app || app.builtin) && !file) refuse(op, SW.REFERENCED_DATA_NOT_FOUND, `${toHex(aid)} is not an application or load file on the card`);
  const owner = app ? app.sdAid : file!.sdAid;
  if (!owns(sd, owner)) refuse(op, SW.CONDITIONS_NOT_SATISFIED, `${toHex(aid)} is not associated with ${toHex(sd.aid)}`);
  // A security domain cannot end up below itself (GP 7.2: the hierarchy is a tree).
  if (app && isWithin(env, target.aid, aid)) refuse(op, SW.CONDITIONS_NOT_SATISFIED, `${toHex(target.aid)} is ${toHex(aid)} or lies below it`);
  reg.setSecurityDomain(aid, target.aid);
}

/** Change privileges (and with an SD AID, the association) of an application; the ISD only. */
export function registryUpdate(op: string, env: IsdEnv, sd: Domain, fields: readonly Uint8Array[], ctx: AppContext): void {
  const [to, , aid, privileges] = fields as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
  if (!sd.isIsd) refuse(op, SW.CONDITIONS_NOT_SATISFIED, "only the ISD updates the registry on this card");
  const app = env.registry.application(aid);
  if (!app || app.builtin) refuse(op, SW.REFERENCED_DATA_NOT_FOUND, `application ${toHex(aid)} is not on the card`);
  if (to.length > 0) {
    const target = domain(env, to);
    if (!target) refuse(op, SW.REFERENCED_DATA_NOT_FOUND, `security domain ${toHex(to)} is not on the card`);
    moveTo(op, env, sd, aid, target);
  }
  if (privileges.length > 0) {
    const p = normalisePrivileges(op, privileges);
    if (((p[0]! ^ app.privileges[0]!) & 0x80) !== 0) refuse(op, SW.WRONG_DATA, "the security domain privilege cannot be granted or taken by registry update");
    env.registry.setApplication(aid, { privileges: p });
  }
  ctx.log(`${op}: ${toHex(aid)} updated`);
}
