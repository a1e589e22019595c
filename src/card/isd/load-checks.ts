/**
 * What the ISD checks in a complete Load File Data Block before the package
 * joins the registry (GP 2.3.1 section 9.3.5 and the JCVM's installer rules):
 * the components parse, the package is the one announced, the hash matches,
 * the CAP format is one this card takes, no AID is taken already, every
 * import is on the card, and it fits in memory.
 */
import { createHash } from "node:crypto";
import { equal, toHex } from "../../stack/bytes.ts";
import { FormatError } from "../../stack/errors.ts";
import { SW } from "../../stack/status-words.ts";
import { parseLfdb, type LoadFileInfo } from "../../stack/cap/lfdb.ts";
import { packageNameOf, type ApiPackage } from "../../stack/cap/javacard-api.ts";
import { refuse } from "../refusal.ts";
import { checkNewPackages, packageHolder } from "./extended-packages.ts";
import type { Registry } from "../store/registry.ts";

/** Hash algorithms by digest length (GP 2.3.1 section C.2: SHA-1, SHA-2 family). */
const HASH_BY_LENGTH: Readonly<Record<number, string>> = { 20: "sha1", 32: "sha256", 48: "sha384", 64: "sha512" };

/** Whether a hash length is one INSTALL [for load] may carry (0 = none). */
export function hashLengthOk(n: number): boolean {
  return n === 0 || HASH_BY_LENGTH[n] !== undefined;
}

export interface LoadCheckContext {
  registry: Registry;
  api: readonly ApiPackage[];
  /** CAP format majors.minors accepted, as "2.1". */
  capVersions: readonly string[];
  isdAid: Uint8Array;
  /** AIDs of built-in applications (in-process CardApplications). */
  builtinAids: readonly Uint8Array[];
  freeMemory: number;
}

const OP = "LOAD";

function describePackage(aid: Uint8Array, major: number, minor: number): string {
  const name = packageNameOf(toHex(aid));
  return `${toHex(aid)} ${major}.${minor}${name ? ` (${name})` : ""}`;
}

/** Check a received LFDB; returns what it holds or throws a CardRefusal with the reason. */
export function checkLoadFile(
  lfdb: Uint8Array,
  expect: { packageAid?: Uint8Array; hash?: Uint8Array },
  ctx: LoadCheckContext,
): LoadFileInfo {
  let info: LoadFileInfo;
  try {
    info = parseLfdb(lfdb);
  } catch (error) {
    if (error instanceof FormatError) refuse(OP, SW.WRONG_DATA, error.message);
    throw error;
  }
  const pkg = info.packageAid;
  if (expect.packageAid && !equal(expect.packageAid, pkg)) {
    refuse(OP, SW.WRONG_DATA, `the load file holds package ${toHex(pkg)}, INSTALL [for load] announced ${toHex(expect.packageAid)}`);
  }
  const hash = expect.hash ?? new Uint8Array(0);
  if (hash.length > 0) {
    const alg = HASH_BY_LENGTH[hash.length]!;
    const actual = new Uint8Array(createHash(alg).update(lfdb).digest());
    if (!equal(actual, hash)) {
      refuse(OP, SW.WRONG_DATA, `the load file's ${alg.toUpperCase()} hash ${toHex(actual)} differs from INSTALL [for load]'s ${toHex(hash)}`);
    }
  }
  const cap = `${info.capVersion.major}.${info.capVersion.minor}`;
  if (!ctx.capVersions.includes(cap)) {
    // The extended format is CAP 2.3 too (JCVM 3.1 §6.4): a card that takes 2.3 takes both layouts.
    refuse(OP, SW.WRONG_DATA, `CAP format ${cap}${info.extended ? " extended" : ""} is not supported (this card takes ${ctx.capVersions.join(", ")})`);
  }
  checkNewPackages(OP, info, ctx.registry, ctx.api);
  if (ctx.api.some((p) => equal(p.aid, pkg)) || ctx.registry.loadFile(pkg)) {
    refuse(OP, SW.CONDITIONS_NOT_SATISFIED, `package ${toHex(pkg)} is already on the card`);
  }
  const taken = [
    ctx.isdAid,
    ...ctx.builtinAids,
    ...ctx.registry.applications().map((a) => a.aid),
    ...ctx.registry.loadFiles().flatMap((f) => [f.aid, ...f.modules]),
  ];
  for (const applet of info.applets) {
    if (taken.some((aid) => equal(aid, applet.aid))) {
      refuse(OP, SW.CONDITIONS_NOT_SATISFIED, `applet AID ${toHex(applet.aid)} is already used on the card`);
    }
  }
  for (const imp of info.imports) {
    const have = findPackage(imp.aid, ctx);
    if (!have) {
      refuse(OP, SW.WRONG_DATA, `imported package ${describePackage(imp.aid, imp.major, imp.minor)} is not on the card`);
    }
    // Binary compatibility (JCVM 3.1 section 4.5.2): same major, minor at least the one imported.
    if (have.major !== imp.major || have.minor < imp.minor) {
      refuse(
        OP,
        SW.WRONG_DATA,
        `imported package ${describePackage(imp.aid, imp.major, imp.minor)} is not on the card: it has version ${have.major}.${have.minor}`,
      );
    }
  }
  if (lfdb.length > ctx.freeMemory) {
    refuse(OP, SW.NOT_ENOUGH_MEMORY, `the load file needs ${lfdb.length} bytes, ${ctx.freeMemory} are free`);
  }
  return info;
}

function findPackage(aid: Uint8Array, ctx: LoadCheckContext): { major: number; minor: number } | undefined {
  const api = ctx.api.find((p) => equal(p.aid, aid));
  if (api) return api;
  // A package of an extended file on the card is imported like a load file (JCVM 3.1 §4.5.2).
  return ctx.registry.loadFile(aid) ?? packageHolder(ctx.registry, aid);
}
