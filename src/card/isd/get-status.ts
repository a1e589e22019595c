/**
 * GET STATUS (GP 2.3.1 section 11.4). P1 picks the subset: 80 ISD, 40
 * applications, 20 load files, 10 load files with their modules. P2 bit 2
 * asks for the tagged format (else the GP 2.1.1 legacy one), bit 1 for the
 * next page. Data: search criteria `4F <AID prefix>` (4F 00 matches all).
 * An answer longer than Le (256 for short APDUs) ends with 6310 and the
 * rest comes with P2 "next". An SSD without Global Registry sees only
 * itself and what is associated with it, and not the ISD (11.4.2).
 */
import { ResponseApdu, type CommandApdu } from "../../stack/apdu.ts";
import { concat, hexNumber } from "../../stack/bytes.ts";
import { IMPLICIT_SELECTION_TAG } from "../../stack/gp/implicit-selection.ts";
import { encodeTlv, parseTlvs, type Tlv } from "../../stack/tlv.ts";
import { FormatError } from "../../stack/errors.ts";
import { SW } from "../../stack/status-words.ts";
import { STATUS_P1, TAG } from "../../stack/gp/constants.ts";
import { responseRoom } from "../../stack/gp/security-level.ts";
import type { AppContext, Registry } from "../application.ts";
import { refuse } from "../refusal.ts";
import { requireAuth, type IsdEnv } from "./isd-state.ts";
import { acting, hasGlobalRegistry, type Domain } from "./domains.ts";
import { equal } from "../../stack/bytes.ts";

const OP = "GET STATUS";

interface Entry {
  aid: Uint8Array;
  lifecycle: number;
  privileges: Uint8Array;
  loadFile?: Uint8Array;
  sd?: Uint8Array;
  version?: Uint8Array;
  modules?: Uint8Array[];
  /** CF bytes (amendment C implicit selection). */
  implicit?: number[];
}

function entries(p1: number, reg: Registry, sd: Domain): Entry[] {
  const isd = reg.isd.aid;
  const all = hasGlobalRegistry(sd);
  const mine = (x: { aid: Uint8Array; securityDomain?: Uint8Array }) => all || equal(x.aid, sd.aid) || equal(x.securityDomain ?? isd, sd.aid);
  switch (p1) {
    case STATUS_P1.ISD:
      if (!all) refuse(OP, SW.REFERENCED_DATA_NOT_FOUND, "a security domain without Global Registry does not see the ISD entry");
      return [{ aid: isd, lifecycle: reg.isd.lifecycle, privileges: reg.isd.privileges }];
    case STATUS_P1.APPS:
      return reg.applications.filter(mine).map((a) => ({
        aid: a.aid,
        lifecycle: a.lifecycle,
        privileges: a.privileges,
        ...(a.loadFile ? { loadFile: a.loadFile } : {}),
        ...(a.implicitSelection ? { implicit: a.implicitSelection } : {}),
        sd: a.securityDomain ?? isd,
      }));
    case STATUS_P1.LOAD_FILES:
    case STATUS_P1.LOAD_FILES_AND_MODULES:
      return reg.loadFiles.filter(mine).flatMap((f) => [
        {
          aid: f.aid,
          lifecycle: f.lifecycle,
          privileges: Uint8Array.of(0, 0, 0),
          version: Uint8Array.of(f.version.major, f.version.minor),
          sd: f.securityDomain ?? isd,
          ...(p1 === STATUS_P1.LOAD_FILES_AND_MODULES ? { modules: f.modules } : {}),
        },
        // An extended CAP file is loaded under its CAP AID (with the modules); each package it holds
        // follows as an entry of its own with its version, so a host sees the packages it may import,
        // and C4 (load file AID, GP 11.4.3.1 Table 11-36) names the CAP file it belongs to.
        ...(f.packages ?? []).map((p) => ({
          aid: p.aid,
          loadFile: f.aid,
          lifecycle: f.lifecycle,
          privileges: Uint8Array.of(0, 0, 0),
          version: Uint8Array.of(p.version.major, p.version.minor),
          sd: f.securityDomain ?? isd,
          ...(p1 === STATUS_P1.LOAD_FILES_AND_MODULES ? { modules: [] } : {}),
        })),
      ]);
    default:
      return refuse(OP, SW.INCORRECT_P1P2, `P1 ${hexNumber(p1)} is not a GET STATUS subset (80, 40, 20, 10)`);
  }
}

function tagged(e: Entry): Uint8Array {
  return encodeTlv(TAG.REGISTRY_ENTRY, ...taggedParts(e));
}

function taggedParts(e: Entry): Uint8Array[] {
  const parts = [encodeTlv(TAG.AID, e.aid), encodeTlv(TAG.LIFECYCLE, Uint8Array.of(e.lifecycle))];
  if (!e.version) parts.push(encodeTlv(TAG.PRIVILEGES, e.privileges));
  for (const cf of e.implicit ?? []) parts.push(encodeTlv(IMPLICIT_SELECTION_TAG, Uint8Array.of(cf)));
  if (e.loadFile) parts.push(encodeTlv(TAG.LOAD_FILE_AID, e.loadFile));
  if (e.version) parts.push(encodeTlv(TAG.VERSION, e.version));
  for (const m of e.modules ?? []) parts.push(encodeTlv(TAG.MODULE_AID, m));
  if (e.sd) parts.push(encodeTlv(TAG.ASSOCIATED_SD, e.sd));
  return parts;
}

/** Cut `bytes` into pieces of at most `size` (a card that pages by bytes, splitting a TLV: JCOP4, GPP#405). */
function pieces(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += size) out.push(bytes.subarray(at, at + size));
  return out;
}

function legacy(e: Entry): Uint8Array {
  const head = concat(e.aid.length, e.aid, e.lifecycle, e.privileges[0] ?? 0);
  if (!e.modules) return head;
  return concat(head, e.modules.length, ...e.modules.map((m) => concat(m.length, m)));
}

function searchPrefix(data: Uint8Array): Uint8Array {
  let tlvs: Tlv[];
  try {
    tlvs = parseTlvs(data);
  } catch (error) {
    if (error instanceof FormatError) refuse(OP, SW.WRONG_DATA, `search criteria are not valid TLV: ${error.message}`);
    throw error;
  }
  const aid = tlvs.find((t) => t.tag === TAG.AID);
  if (!aid) refuse(OP, SW.WRONG_DATA, "search criteria lack tag 4F (use 4F 00 for every entry)");
  return aid.value;
}

const startsWith = (aid: Uint8Array, prefix: Uint8Array) =>
  prefix.length <= aid.length && prefix.every((b, i) => aid[i] === b);

export function getStatus(cmd: CommandApdu, env: IsdEnv, ctx: AppContext): ResponseApdu {
  requireAuth(OP, env, ctx);
  if (cmd.p2 > 0x03) refuse(OP, SW.INCORRECT_P1P2, `P2 ${hexNumber(cmd.p2)} is not 00-03`);
  const isTagged = (cmd.p2 & 0x02) !== 0;
  const next = (cmd.p2 & 0x01) !== 0;
  // Where the card's profile differs: formats and subsets it refuses (SCE 6.0: P2 02 6A86; SCE 3.2: P1 10 6A81).
  const quirks = env.behaviour.getStatus;
  const formatSw = isTagged ? quirks.taggedRefused : quirks.legacyRefused;
  if (formatSw !== undefined) refuse(OP, formatSw, `the ${env.behaviour.name} card does not answer the ${isTagged ? "tagged" : "legacy"} format`);
  const subsetSw = quirks.refuse.get(cmd.p1);
  if (subsetSw !== undefined) refuse(OP, subsetSw, `the ${env.behaviour.name} card does not answer the subset P1 ${hexNumber(cmd.p1)}`);
  const max = responseRoom(Math.max(cmd.ne ?? 256, 256), ctx.secure.level);
  let rest: Uint8Array[];
  if (next) {
    const c = env.statusCursor;
    if (!c || c.p1 !== cmd.p1 || c.tagged !== isTagged) {
      refuse(OP, SW.CONDITIONS_NOT_SATISFIED, "GET STATUS [next] without a previous GET STATUS that answered 6310");
    }
    rest = c.rest;
  } else {
    const prefix = searchPrefix(cmd.data);
    const all = entries(cmd.p1, env.manager.registry(), acting(env, ctx.aid)).filter((e) => startsWith(e.aid, prefix));
    if (all.length === 0) {
      env.statusCursor = undefined;
      return ResponseApdu.of(SW.REFERENCED_DATA_NOT_FOUND);
    }
    rest = isTagged && quirks.oneTemplate ? [encodeTlv(TAG.REGISTRY_ENTRY, ...all.flatMap(taggedParts))] : all.map(isTagged ? tagged : legacy);
    if (quirks.byBytes || quirks.oneTemplate) rest = pieces(concat(...rest), max);
  }
  const page: Uint8Array[] = [];
  let size = 0;
  while (rest.length > 0 && (page.length === 0 || size + rest[0]!.length <= max)) {
    size += rest[0]!.length;
    page.push(rest.shift()!);
  }
  env.statusCursor = rest.length > 0 ? { p1: cmd.p1, tagged: isTagged, rest } : undefined;
  return ResponseApdu.of(rest.length > 0 ? SW.WARNING_MORE_DATA : SW.OK, concat(...page));
}

