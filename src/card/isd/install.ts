/**
 * INSTALL (GP 2.3.1 section 11.5). Data fields are each preceded by a
 * one-byte length:
 *   [for load]              pkg | sd | hash | load params | token
 *   [for install]           pkg | module | instance | privileges | install params | token
 *   [for make selectable]   00 | 00 | instance | privileges | 00 | token
 * P1 02 load, 04 install, 08 make selectable, 0C install and make
 * selectable, 10 extradition, 20 personalization, 40 registry update (bit 8
 * "more INSTALL commands" is ignored).
 *
 * Who may: the ISD and SDs with Authorized Management without a token; an
 * SD with Delegated Management with a token the ISD verifies, and then the
 * answer carries a receipt (GP 9.4); any other SSD is refused. An SSD works
 * on its own content: it loads into itself and installs from its load files.
 */
import { ResponseApdu, type CommandApdu } from "../../stack/apdu.ts";
import { readUint, toHex, hexNumber } from "../../stack/bytes.ts";
import { parseTlvs } from "../../stack/tlv.ts";
import { FormatError } from "../../stack/errors.ts";
import { SW } from "../../stack/status-words.ts";
import { INSTALL_P1 } from "../../stack/gp/constants.ts";
import type { AppContext } from "../application.ts";
import { refuse } from "../refusal.ts";
import { requireAuth, requireUnlockedCard, type IsdEnv } from "./isd-state.ts";
import { acting, domain, managementMode, owns, requireUsableDomain, type Domain } from "./domains.ts";
import { SD_MODULE_AID } from "./sd-module.ts";
import { receipt, verifyDelegatedToken } from "./authority.ts";
import { extradite, registryUpdate } from "./install-registry.ts";
import { equal } from "../../stack/bytes.ts";
import { dapDomains } from "./dap-check.ts";

/** The response data of INSTALL and LOAD without a receipt: one byte 00 (GP 11.5.3.1). */
export const NO_RECEIPT = Uint8Array.of(0x00);

const NAMES: Readonly<Record<number, string>> = {
  [INSTALL_P1.FOR_LOAD]: "INSTALL [for load]",
  [INSTALL_P1.FOR_INSTALL]: "INSTALL [for install]",
  [INSTALL_P1.FOR_MAKE_SELECTABLE]: "INSTALL [for make selectable]",
  [INSTALL_P1.FOR_INSTALL_AND_MAKE_SELECTABLE]: "INSTALL [for install and make selectable]",
  [INSTALL_P1.FOR_EXTRADITION]: "INSTALL [for extradition]",
  [INSTALL_P1.FOR_PERSONALIZATION]: "INSTALL [for personalization]",
  [INSTALL_P1.FOR_REGISTRY_UPDATE]: "INSTALL [for registry update]",
};

/** Split `data` into `count` length-prefixed fields; what follows them must be empty. */
function lvFields(op: string, data: Uint8Array, count: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let o = 0;
  for (let i = 0; i < count; i++) {
    if (o >= data.length) refuse(op, SW.WRONG_DATA, `data ends before field ${i + 1} of ${count}`);
    const n = data[o++]!;
    if (o + n > data.length) refuse(op, SW.WRONG_DATA, `field ${i + 1} declares ${n} bytes, ${data.length - o} remain`);
    out.push(data.slice(o, o + n));
    o += n;
  }
  if (o !== data.length) refuse(op, SW.WRONG_DATA, `${data.length - o} unexpected bytes after the last field`);
  return out;
}

/** Space a load declares in its load parameters: EF { C6 code, C8 data } (GP 11.5.2.3.7). */
function declaredSize(op: string, params: Uint8Array): number {
  if (params.length === 0) return 0;
  try {
    const ef = parseTlvs(params).find((t) => t.tag === 0xef);
    if (!ef) return 0;
    let n = 0;
    for (const t of parseTlvs(ef.value)) {
      if ((t.tag === 0xc6 || t.tag === 0xc8) && t.value.length >= 1 && t.value.length <= 4) {
        n += readUint(t.value, 0, t.value.length);
      }
    }
    return n;
  } catch (error) {
    if (error instanceof FormatError) refuse(op, SW.WRONG_DATA, `load parameters are not valid TLV: ${error.message}`);
    throw error;
  }
}

/** The fields of INSTALL data, the last one the token; `body` is what a token signs (all but the token field). */
function fieldsAndBody(op: string, data: Uint8Array, count: 5 | 6): { fields: Uint8Array[]; body: Uint8Array; token: Uint8Array } {
  const fields = lvFields(op, data, count);
  const token = fields[count - 1]!;
  return { fields, body: data.subarray(0, data.length - 1 - token.length), token };
}

/** Check the acting SD may make this change; "delegated" when it did so with a valid token. */
function authorize(op: string, env: IsdEnv, sd: Domain, cmd: CommandApdu, body: Uint8Array, token: Uint8Array): "authorized" | "delegated" {
  const mode = managementMode(op, sd);
  if (mode === "delegated") verifyDelegatedToken(op, env, cmd.p1, cmd.p2, body, token);
  return mode;
}

export function install(cmd: CommandApdu, env: IsdEnv, ctx: AppContext): ResponseApdu {
  const kind = cmd.p1 & 0x7f;
  const op = NAMES[kind] ?? "INSTALL";
  if (NAMES[kind] === undefined) {
    refuse(op, SW.INCORRECT_P1P2, `INSTALL P1 ${hexNumber(cmd.p1)} is not supported (02, 04, 08, 0C, 10, 20, 40)`);
  }
  if (cmd.p2 !== 0x00) refuse(op, SW.INCORRECT_P1P2, `P2 must be 00, got ${hexNumber(cmd.p2)}`);
  requireAuth(op, env, ctx);
  requireUnlockedCard(op, env);
  const m = env.manager;
  const sd = acting(env, ctx.aid);
  const { fields, body, token } = fieldsAndBody(op, cmd.data, kind === INSTALL_P1.FOR_LOAD ? 5 : 6);
  if (kind === INSTALL_P1.FOR_PERSONALIZATION) {
    const app = env.registry.application(fields[2]!);
    if (!app || app.builtin) refuse(op, SW.REFERENCED_DATA_NOT_FOUND, `application ${toHex(fields[2]!)} is not on the card`);
    if (!owns(sd, app.sdAid)) refuse(op, SW.CONDITIONS_NOT_SATISFIED, `application ${toHex(app.aid)} is not associated with ${toHex(sd.aid)}`);
    env.storeData = { app: app.aid, sd: sd.aid, nextBlock: 0 };
    ctx.log(`${op}: STORE DATA goes to ${toHex(app.aid)}`);
    return ResponseApdu.of(SW.OK, NO_RECEIPT);
  }
  const mode = authorize(op, env, sd, cmd, body, token);
  let answer: Uint8Array = NO_RECEIPT;
  if (kind === INSTALL_P1.FOR_LOAD) {
    const [pkg, target, hash, params] = fields as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
    const into = target.length > 0 ? target : sd.aid;
    const d = domain(env, into);
    if (!d) refuse(op, SW.REFERENCED_DATA_NOT_FOUND, `security domain ${toHex(into)} is not on the card`);
    // An SSD loads into itself; the ISD (Authorized Management) into any SD (GP 9.3.1).
    if (!sd.isIsd && !equal(d.aid, sd.aid)) refuse(op, SW.CONDITIONS_NOT_SATISFIED, `${toHex(sd.aid)} can only load into itself, not into ${toHex(d.aid)}`);
    requireUsableDomain(op, d);
    if (hash.length === 0 && (mode === "delegated" || needsDap(env, d.aid))) {
      refuse(op, SW.WRONG_DATA, "this load needs the load file data block hash in INSTALL [for load] (DAP or delegated management)");
    }
    m.beginLoad({ packageAid: pkg, sdAid: d.aid, hash, declared: declaredSize(op, params) });
    ctx.log(`${op}: package ${toHex(pkg)} opened for ${toHex(d.aid)}`);
  } else if (kind === INSTALL_P1.FOR_MAKE_SELECTABLE) {
    const [, , instance, privileges] = fields as Uint8Array[];
    const app = env.registry.application(instance!);
    if (app && !owns(sd, app.sdAid)) refuse(op, SW.CONDITIONS_NOT_SATISFIED, `application ${toHex(app.aid)} is not associated with ${toHex(sd.aid)}`);
    m.makeSelectable(instance!, privileges!);
    ctx.log(`${op}: ${toHex(instance!)} selectable`);
  } else if (kind === INSTALL_P1.FOR_EXTRADITION) {
    answer = extradite(op, env, sd, fields, ctx, mode);
  } else if (kind === INSTALL_P1.FOR_REGISTRY_UPDATE) {
    registryUpdate(op, env, sd, fields, ctx);
  } else {
    const [pkg, module, instance, privileges, params] = fields as Uint8Array[];
    const file = env.registry.loadFile(pkg!);
    if (file && !owns(sd, file.sdAid)) refuse(op, SW.CONDITIONS_NOT_SATISFIED, `load file ${toHex(pkg!)} is not associated with ${toHex(sd.aid)}`);
    if (!sd.isIsd && equal(module!, SD_MODULE_AID)) refuse(op, SW.CONDITIONS_NOT_SATISFIED, "only the ISD creates security domains on this card");
    const record = m.installApp({
      loadFile: pkg!,
      module: module!,
      instance: instance!,
      privileges: privileges!,
      params: params!,
      selectable: kind === INSTALL_P1.FOR_INSTALL_AND_MAKE_SELECTABLE,
      sdAid: sd.aid,
    });
    if (equal(record.module ?? new Uint8Array(0), SD_MODULE_AID)) {
      // A new SD starts with the card's factory key set, as cards ship SSDs; PUT KEY replaces it (GP 7.2.1).
      env.domainKeys.putKeySet(record.aid, env.factoryKeySet);
    }
    if (mode === "delegated") answer = receipt(env, [pkg!, instance!]);
    ctx.log(`${op}: instance ${toHex(instance!)} of ${toHex(module!)} from ${toHex(pkg!)} in ${toHex(sd.aid)}`);
  }
  return ResponseApdu.of(SW.OK, answer);
}

/** Whether a load into `sd` needs a DAP (some SD in its path verifies DAPs, or one mandates them). */
function needsDap(env: IsdEnv, sd: Uint8Array): boolean {
  return dapDomains(env, sd).length > 0;
}
