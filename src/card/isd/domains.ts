/**
 * Security domains on the card (GP 2.3.1 sections 7.2 and 9): the ISD and
 * the supplementary security domains (SSDs), which are registry entries with
 * the Security Domain privilege, their own keys and their own content.
 * Who may do what: the ISD and SDs with Authorized Management change their
 * content without a token; SDs with Delegated Management need a token the
 * ISD verifies (9.4); an SD without either takes no card content changes.
 */
import { equal, toHex } from "../../stack/bytes.ts";
import { SW } from "../../stack/status-words.ts";
import { APP_LIFECYCLE, PRIV1, PRIV2 } from "../../stack/gp/constants.ts";
import { refuse } from "../refusal.ts";
import { isDomainRecord } from "./sd-module.ts";
import { META } from "../store/schema.ts";
import type { IsdEnv } from "./isd-state.ts";

/** The security domain a command is addressed to. */
export interface Domain {
  aid: Uint8Array;
  isIsd: boolean;
  /** 3 bytes (GP 6.6.1). */
  privileges: Uint8Array;
  lifecycle: number;
  /** The SD it is associated with (the ISD's is itself). */
  parent: Uint8Array;
}

const has = (p: Uint8Array, byte: 0 | 1 | 2, bits: number) => ((p[byte] ?? 0) & bits) === bits;

/** The ISD's privileges now: the stored ones, with Mandated DAP Verification when the card runs with it. */
export function isdPrivileges(env: IsdEnv): Uint8Array {
  const p = env.store.meta(META.ISD_PRIVILEGES)!.slice();
  if (env.mandatedDap) p[0] = p[0]! | PRIV1.MANDATED_DAP;
  return p;
}

/** The ISD or an SSD by AID; undefined when `aid` is no security domain. */
export function domain(env: IsdEnv, aid: Uint8Array): Domain | undefined {
  const isd = env.manager.isdAid;
  if (equal(aid, isd)) return { aid: isd, isIsd: true, privileges: isdPrivileges(env), lifecycle: APP_LIFECYCLE.PERSONALIZED, parent: isd };
  const a = env.registry.application(aid);
  if (!a || !isDomainRecord(a)) return undefined;
  return { aid: a.aid, isIsd: false, privileges: a.privileges, lifecycle: a.lifecycle, parent: a.sdAid };
}

/** The security domain the selected application is (the ISD or an SSD); the ISD for anything else. */
export function acting(env: IsdEnv, selected: Uint8Array): Domain {
  return domain(env, selected) ?? domain(env, env.manager.isdAid)!;
}

/** Authorized Management: the ISD always has it (GP 9.1.1). */
export function hasAuthorizedManagement(d: Domain): boolean {
  return d.isIsd || has(d.privileges, 1, PRIV2.AUTHORIZED_MANAGEMENT);
}

export function hasDelegatedManagement(d: Domain): boolean {
  return has(d.privileges, 0, PRIV1.DELEGATED_MANAGEMENT);
}

/** DAP Verification (b8 and b7 of byte 1); Mandated DAP adds b1 (GP 6.6.1 table 6-1). */
export function hasDapVerification(p: Uint8Array): boolean {
  return has(p, 0, PRIV1.DAP_VERIFICATION);
}

export function hasMandatedDap(p: Uint8Array): boolean {
  return has(p, 0, PRIV1.MANDATED_DAP);
}

export function hasGlobalRegistry(d: Domain): boolean {
  return d.isIsd || has(d.privileges, 1, PRIV2.GLOBAL_REGISTRY);
}

/**
 * How `d` may change card content: "authorized" without a token, "delegated"
 * with one; refused (6985) when it has neither privilege (GP 9.1).
 */
export function managementMode(op: string, d: Domain): "authorized" | "delegated" {
  if (hasAuthorizedManagement(d)) return "authorized";
  if (hasDelegatedManagement(d)) return "delegated";
  return refuse(op, SW.CONDITIONS_NOT_SATISFIED, `security domain ${toHex(d.aid)} has neither Authorized nor Delegated Management`);
}

/** An SSD that takes content must be usable: selectable or personalized, not locked (GP 5.3.2). */
export function requireUsableDomain(op: string, d: Domain): void {
  if (d.isIsd) return;
  if ((d.lifecycle & APP_LIFECYCLE.LOCKED_BIT) !== 0) refuse(op, SW.CONDITIONS_NOT_SATISFIED, `security domain ${toHex(d.aid)} is locked`);
  if ((d.lifecycle & APP_LIFECYCLE.SELECTABLE) !== APP_LIFECYCLE.SELECTABLE) {
    refuse(op, SW.CONDITIONS_NOT_SATISFIED, `security domain ${toHex(d.aid)} is not selectable yet (INSTALLED)`);
  }
}

/** The SDs from `sd` up to the ISD (each SD's associated SD), `sd` first; stops on a loop. */
export function hierarchy(env: IsdEnv, sd: Uint8Array): Domain[] {
  const out: Domain[] = [];
  let d = domain(env, sd);
  while (d && !out.some((x) => equal(x.aid, d!.aid))) {
    out.push(d);
    if (d.isIsd) break;
    d = domain(env, d.parent);
  }
  return out;
}

/** Whether `aid` is `ancestor` or lies below it in the SD hierarchy. */
export function isWithin(env: IsdEnv, aid: Uint8Array, ancestor: Uint8Array): boolean {
  return hierarchy(env, aid).some((d) => equal(d.aid, ancestor));
}

/** Whether `owner` (associated SD of a registry entry) is `d` or, for the ISD, anything. */
export function owns(d: Domain, owner: Uint8Array): boolean {
  return d.isIsd || equal(d.aid, owner);
}
