/**
 * The packages of extended CAP files on the card (JCVM 3.1 §6.4). An
 * extended file is one load file under its CAP AID; the packages it holds
 * (the Header's package_info[]) are recorded with it (the registry reads them
 * from the stored Header), listed by GET STATUS, importable by other load
 * files, and deleted only with the whole file: one package of a CAP file
 * cannot go alone, the others may call it (they share its components).
 */
import { equal, toHex } from "../../stack/bytes.ts";
import { SW } from "../../stack/status-words.ts";
import type { LoadFileInfo } from "../../stack/cap/lfdb.ts";
import type { ApiPackage } from "../../stack/cap/javacard-api.ts";
import { refuse } from "../refusal.ts";
import type { LoadFileRecord, Registry } from "../store/registry.ts";

/** The extended load file that holds package `aid`, with that package's version. */
export function packageHolder(registry: Registry, aid: Uint8Array): { file: LoadFileRecord; major: number; minor: number } | undefined {
  for (const file of registry.loadFiles()) {
    const p = file.packages.find((x) => equal(x.aid, aid));
    if (p) return { file, major: p.major, minor: p.minor };
  }
  return undefined;
}

/** LOAD of an extended file: every package AID is new on the card and appears once (JCVM 3.1 §6.4: AIDs identify packages). */
export function checkNewPackages(op: string, info: LoadFileInfo, registry: Registry, api: readonly ApiPackage[]): void {
  if (!info.extended) return;
  const seen: Uint8Array[] = [info.packageAid];
  for (const p of info.packages) {
    const aid = toHex(p.aid);
    if (seen.some((s) => equal(s, p.aid))) refuse(op, SW.WRONG_DATA, `the CAP file names package ${aid} twice (or as its CAP AID)`);
    seen.push(p.aid);
    const holder = packageHolder(registry, p.aid);
    if (api.some((a) => equal(a.aid, p.aid)) || registry.loadFile(p.aid) || holder) {
      refuse(op, SW.CONDITIONS_NOT_SATISFIED, `package ${aid} is already on the card${holder ? ` (in ${toHex(holder.file.aid)})` : ""}`);
    }
  }
  const holder = packageHolder(registry, info.packageAid);
  if (holder) refuse(op, SW.CONDITIONS_NOT_SATISFIED, `CAP AID ${toHex(info.packageAid)} is a package of ${toHex(holder.file.aid)} on the card`);
}

/**
 * DELETE of `aid`: a package inside an extended file is refused (delete the
 * CAP file); returns the load files that import the file or any package it holds.
 */
export function deleteChecks(op: string, registry: Registry, aid: Uint8Array): Uint8Array[] {
  const file = registry.loadFile(aid);
  if (!file) {
    const holder = packageHolder(registry, aid);
    if (holder) {
      refuse(op, SW.CONDITIONS_NOT_SATISFIED, `package ${toHex(aid)} is part of CAP file ${toHex(holder.file.aid)}: delete ${toHex(holder.file.aid)}, its packages go together`);
    }
    return [];
  }
  const users = [aid, ...file.packages.map((p) => p.aid)].flatMap((a) => registry.dependentsOf(a));
  return users.filter((u, i) => !equal(u, aid) && users.findIndex((x) => equal(x, u)) === i);
}
