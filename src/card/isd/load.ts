/**
 * LOAD (GP 2.3.1 section 11.6). The blocks of one load, numbered from 00 in
 * P2, carry `[E2 {DAP block}...] C4 <BER length> <LFDB>`; P1 80 marks the
 * last. Blocks are kept in the pending load (not the registry); the last one
 * checks the whole file and moves it into the registry in the same
 * transaction, so the package appears entirely or not at all.
 * Before that, every SD in the path that verifies DAPs (and any SD with
 * Mandated DAP) checks its DAP block (dap-check.ts); a load made by an SD
 * with Delegated Management answers its last block with a receipt.
 */
import { ResponseApdu, type CommandApdu } from "../../stack/apdu.ts";
import { concat, toHex, hexNumber } from "../../stack/bytes.ts";
import { SW } from "../../stack/status-words.ts";
import { LOAD_P1, TAG } from "../../stack/gp/constants.ts";
import type { AppContext } from "../application.ts";
import { refuse } from "../refusal.ts";
import { requireAuth, requireUnlockedCard, type IsdEnv } from "./isd-state.ts";
import { NO_RECEIPT } from "./install.ts";
import { parseLoadFileBytes } from "../../stack/gp/dap.ts";
import { checkDaps } from "./dap-check.ts";
import { acting, managementMode } from "./domains.ts";
import { receipt } from "./authority.ts";

const OP = "LOAD";

/** Where the LFDB starts and how long C4 says it is; undefined while too few bytes arrived. */
export function loadFileLayout(bytes: Uint8Array): { start: number; length: number } | undefined {
  let o = 0;
  for (;;) {
    if (o >= bytes.length) return undefined;
    const tag = bytes[o]!;
    if (tag !== TAG.DAP_BLOCK && tag !== TAG.LFDB) {
      refuse(OP, SW.WRONG_DATA, `load file data starts with tag ${hexNumber(tag)}, expected E2 (DAP block) or C4 (load file data block)`);
    }
    const len = berLength(bytes, o + 1);
    if (len === undefined) return undefined;
    if (tag === TAG.LFDB) return { start: o + 1 + len.used, length: len.value };
    o += 1 + len.used + len.value;
  }
}

function berLength(bytes: Uint8Array, o: number): { value: number; used: number } | undefined {
  if (o >= bytes.length) return undefined;
  const first = bytes[o]!;
  if (first < 0x80) return { value: first, used: 1 };
  const n = first & 0x7f;
  if (n === 0 || n > 3) refuse(OP, SW.WRONG_DATA, `BER length byte ${hexNumber(first)} is not allowed in a load file`);
  if (o + 1 + n > bytes.length) return undefined;
  let v = 0;
  for (let i = 1; i <= n; i++) v = v * 256 + bytes[o + i]!;
  return { value: v, used: 1 + n };
}

export function load(cmd: CommandApdu, env: IsdEnv, ctx: AppContext): ResponseApdu {
  requireAuth(OP, env, ctx);
  requireUnlockedCard(OP, env);
  const pending = env.manager.pending;
  const p = pending.get();
  if (!p) refuse(OP, SW.CONDITIONS_NOT_SATISFIED, "no load in progress: send INSTALL [for load] first");
  if (cmd.p1 !== LOAD_P1.MORE_BLOCKS && cmd.p1 !== LOAD_P1.LAST_BLOCK) {
    refuse(OP, SW.INCORRECT_P1P2, `P1 must be 00 (more blocks) or 80 (last block), got ${hexNumber(cmd.p1)}`);
  }
  if (cmd.p2 !== p.nextBlock) refuse(OP, SW.INCORRECT_P1P2, `block number ${cmd.p2}, expected ${p.nextBlock}`);
  if (cmd.data.length === 0) refuse(OP, SW.WRONG_LENGTH, "a LOAD block carries no data");
  if (cmd.data.length > env.manager.blockSize) {
    refuse(OP, SW.WRONG_LENGTH, `a LOAD block of ${cmd.data.length} bytes exceeds the ${env.manager.blockSize} this card announces (9F65)`);
  }
  const last = cmd.p1 === LOAD_P1.LAST_BLOCK;
  const all = concat(pending.data(), cmd.data);
  const layout = loadFileLayout(all);
  if (layout) {
    const total = layout.start + layout.length;
    if (all.length > total) refuse(OP, SW.WRONG_DATA, `received ${all.length} bytes, C4 declares ${layout.length} (${total} in all)`);
    const free = env.manager.freeMemory();
    if (layout.length > free) refuse(OP, SW.NOT_ENOUGH_MEMORY, `the load file needs ${layout.length} bytes, ${free} are free`);
    if (last && all.length < total) {
      refuse(OP, SW.WRONG_DATA, `last block leaves the load file at ${all.length} bytes, C4 declares ${layout.length} (${total} in all)`);
    }
  } else if (last) {
    refuse(OP, SW.WRONG_DATA, "the load file data ends before its C4 header");
  } else if (all.length > env.manager.freeMemory()) {
    refuse(OP, SW.NOT_ENOUGH_MEMORY, `received ${all.length} bytes, ${env.manager.freeMemory()} are free`);
  }
  if (!last) {
    pending.append(cmd.p2, cmd.data);
    return ResponseApdu.of(SW.OK, NO_RECEIPT);
  }
  // The pending load is in working memory: it ends only once the load file is in the registry.
  const lfdb = all.subarray(layout!.start);
  const file = env.manager.commitLoad(lfdb, { packageAid: p.packageAid, hash: p.hash }, p.sdAid);
  checkDaps(env, p.sdAid, p.hash, parseDapBlocks(all));
  pending.discard();
  ctx.log(`LOAD: package ${toHex(file.aid)} ${file.major}.${file.minor} loaded (${lfdb.length} bytes, ${file.modules.length} applet(s))`);
  return ResponseApdu.of(SW.OK, managementMode(OP, acting(env, ctx.aid)) === "delegated" ? receipt(env, [file.aid, p.sdAid]) : NO_RECEIPT);
}

function parseDapBlocks(all: Uint8Array) {
  try {
    return parseLoadFileBytes(all).dap;
  } catch (error) {
    return refuse(OP, SW.WRONG_DATA, `DAP blocks: ${(error as Error).message}`);
  }
}
