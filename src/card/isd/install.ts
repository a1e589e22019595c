/**
 * INSTALL (GP 2.3.1 section 11.5). Data fields are each preceded by a
 * one-byte length:
 *   [for load]              pkg | sd | hash | load params | token
 *   [for install]           pkg | module | instance | privileges | install params | token
 *   [for make selectable]   00 | 00 | instance | privileges | 00 | token
 * P1 02 load, 04 install, 08 make selectable, 0C install and make
 * selectable (bit 8 "more INSTALL commands" is ignored). Tokens are not
 * verified: the ISD has authorized management (GP 9.2.1).
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

/** The response data of INSTALL and LOAD without a receipt: one byte 00 (GP 11.5.3.1). */
export const NO_RECEIPT = Uint8Array.of(0x00);

const NAMES: Readonly<Record<number, string>> = {
  [INSTALL_P1.FOR_LOAD]: "INSTALL [for load]",
  [INSTALL_P1.FOR_INSTALL]: "INSTALL [for install]",
  [INSTALL_P1.FOR_MAKE_SELECTABLE]: "INSTALL [for make selectable]",
  [INSTALL_P1.FOR_INSTALL_AND_MAKE_SELECTABLE]: "INSTALL [for install and make selectable]",
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

export function install(cmd: CommandApdu, env: IsdEnv, ctx: AppContext): ResponseApdu {
  const kind = cmd.p1 & 0x7f;
  const op = NAMES[kind] ?? "INSTALL";
  if (NAMES[kind] === undefined) {
    refuse(op, SW.INCORRECT_P1P2, `INSTALL P1 ${hexNumber(cmd.p1)} is not supported (02, 04, 08, 0C)`);
  }
  if (cmd.p2 !== 0x00) refuse(op, SW.INCORRECT_P1P2, `P2 must be 00, got ${hexNumber(cmd.p2)}`);
  requireAuth(op, env, ctx);
  requireUnlockedCard(op, env);
  const m = env.manager;
  if (kind === INSTALL_P1.FOR_LOAD) {
    const [pkg, sd, hash, params] = lvFields(op, cmd.data, 5) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
    m.beginLoad({ packageAid: pkg, sdAid: sd, hash, declared: declaredSize(op, params) });
    ctx.log(`${op}: package ${toHex(pkg)} opened`);
  } else if (kind === INSTALL_P1.FOR_MAKE_SELECTABLE) {
    const [, , instance, privileges] = lvFields(op, cmd.data, 6) as Uint8Array[];
    m.makeSelectable(instance!, privileges!);
    ctx.log(`${op}: ${toHex(instance!)} selectable`);
  } else {
    const [pkg, module, instance, privileges, params] = lvFields(op, cmd.data, 6) as Uint8Array[];
    m.installApp({
      loadFile: pkg!,
      module: module!,
      instance: instance!,
      privileges: privileges!,
      params: params!,
      selectable: kind === INSTALL_P1.FOR_INSTALL_AND_MAKE_SELECTABLE,
    });
    ctx.log(`${op}: instance ${toHex(instance!)} of ${toHex(module!)} from ${toHex(pkg!)}`);
  }
  return ResponseApdu.of(SW.OK, NO_RECEIPT);
}

