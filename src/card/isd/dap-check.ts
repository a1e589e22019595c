/**
 * DAP verification on LOAD (GP 2.3.1 sections 9.2.1 and 9.3.5): before a
 * load file joins the registry, every SD in its path with DAP Verification,
 * and any SD with Mandated DAP Verification, must find a DAP block with its
 * AID whose signature over the Load File Data Block Hash verifies with its
 * DAP key (PUT KEY version 73). A missing block is 6A80, a signature that
 * does not verify 6982.
 */
import { equal, toHex } from "../../stack/bytes.ts";
import { SW } from "../../stack/status-words.ts";
import { verifyDap } from "../../stack/gp/dap.ts";
import type { DapBlock } from "../../stack/gp/load.ts";
import { DM_KEY_VERSION } from "../../stack/gp/token.ts";
import { refuse } from "../refusal.ts";
import { domainPublicKey } from "./authority.ts";
import { domain, hasDapVerification, hasMandatedDap, hierarchy, type Domain } from "./domains.ts";
import { isDomainRecord } from "./sd-module.ts";
import type { IsdEnv } from "./isd-state.ts";

const OP = "LOAD";

/** The SDs whose DAP a load into `targetSd` needs. */
export function dapDomains(env: IsdEnv, targetSd: Uint8Array): Domain[] {
  const out = hierarchy(env, targetSd).filter((d) => hasDapVerification(d.privileges));
  const mandated = [domain(env, env.manager.isdAid)!, ...env.registry.applications().filter(isDomainRecord).map((a) => domain(env, a.aid)!)].filter((d) =>
    hasMandatedDap(d.privileges),
  );
  for (const d of mandated) if (!out.some((x) => equal(x.aid, d.aid))) out.push(d);
  return out;
}

/** Refuse the load unless every needed DAP block is there and verifies over `hash`. */
export function checkDaps(env: IsdEnv, targetSd: Uint8Array, hash: Uint8Array, blocks: readonly DapBlock[]): void {
  for (const d of dapDomains(env, targetSd)) {
    const block = blocks.find((b) => equal(b.securityDomainAid, d.aid));
    const what = hasMandatedDap(d.privileges) ? "Mandated DAP" : "DAP";
    if (!block) refuse(OP, SW.WRONG_DATA, `security domain ${toHex(d.aid)} verifies ${what}: the load has no DAP block (E2) for it`);
    const key = domainPublicKey(env, d.aid, DM_KEY_VERSION.DAP);
    if (!key) refuse(OP, SW.CONDITIONS_NOT_SATISFIED, `security domain ${toHex(d.aid)} verifies ${what} but has no DAP key (PUT KEY version 73)`);
    if (!verifyDap(block, hash, key)) refuse(OP, SW.SECURITY_STATUS_NOT_SATISFIED, `the DAP signature of ${toHex(d.aid)} does not verify over the load file hash`);
  }
}
