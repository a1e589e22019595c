/**
 * The one `install --json` document, whatever the path (docs/json.md):
 * `ok`, `path`, `reader`, `channel`, `package`, `version`, `replaced`,
 * `reused`, `load`, `installed` as `{module, instance, privileges, lifeCycle}`.
 * Paths differ only in `load` (null when the card's own loader or nothing
 * loaded it) and the web path's `exchanges`.
 */
import { toHex } from "../stack/bytes.ts";
import type { CapFile } from "../stack/cap/load-file.ts";
import { privilegeNames } from "../stack/gp/privileges.ts";
import { lifecycleName } from "../stack/gp/lifecycle.ts";
import { planInstalls, type InstallChoices, type InstalledInstance } from "../host/gp/install.ts";
import type { InstallOutcome } from "../host/loader/install-paths.ts";
import { channelJson } from "./format.ts";
import { loadJson } from "./commands/load.ts";

/** One installed instance. */
export interface InstalledJson {
  module: string;
  instance: string;
  privileges: string[];
  /**
   * The instance's state by name (GP 5.3.1, stack/gp/lifecycle.ts): on the web
   * and bridge paths as the card's registry lists it after the install; on
   * gp, "selectable", the state INSTALL [for install and make selectable]
   * (GP 11.5.2.3.1) leaves when the card answers 9000.
   */
  lifeCycle: string;
}

/** `lifecycle`: the byte the card's registry lists (web, bridge); without it, the state the INSTALL command leaves (gp). */
function instanceJson(i: InstalledInstance, lifecycle?: number): InstalledJson {
  return {
    module: toHex(i.moduleAid),
    instance: toHex(i.instanceAid),
    privileges: privilegeNames(i.privileges),
    lifeCycle: lifecycle === undefined ? "selectable" : lifecycleName("app", lifecycle),
  };
}

/** What the outcome says was installed, replaced and reused, the same way for every path. */
export function outcomeFacts(cap: CapFile, choices: InstallChoices, outcome: InstallOutcome): { installed: InstalledInstance[]; replaced: boolean; reused: boolean } {
  if (outcome.via === "gp") return { installed: outcome.result.installed, replaced: outcome.result.replaced, reused: outcome.result.reused };
  // The card's script names the instances it installed; module and privileges are those planned for them.
  const script = outcome.result.result;
  const done = new Set(script.installed.map((aid) => aid.toUpperCase()));
  return {
    installed: planInstalls(cap, choices).filter((p) => done.has(toHex(p.instanceAid))),
    replaced: (script.deleted ?? []).length > 0,
    // A script that says nothing of loading (a stored one of an older kind) loaded.
    reused: script.loaded === false,
  };
}

/** The install document for `outcome` on the card `reader` describes. */
export function installJson(cap: CapFile, choices: InstallChoices, reader: string, outcome: InstallOutcome): Record<string, unknown> {
  const common = { ok: true, path: outcome.via, reader, package: toHex(cap.packageAid), version: `${cap.packageVersion.major}.${cap.packageVersion.minor}` };
  const facts = outcomeFacts(cap, choices, outcome);
  const base = { ...common, replaced: facts.replaced, reused: facts.reused };
  if (outcome.via === "gp") {
    const { session, result } = outcome;
    return { ...base, channel: channelJson(session), load: result.reused ? null : loadJson(result.load), installed: facts.installed.map((i) => instanceJson(i)) };
  }
  const lifecycles = outcome.result.result.lifecycles ?? {};
  const installed = facts.installed.map((i) => instanceJson(i, lifecycles[toHex(i.instanceAid)]));
  if (outcome.via === "bridge") return { ...base, channel: channelJson(outcome.session), load: null, installed };
  const { channel: link, parameters, exchanges } = outcome.result;
  const channel = {
    isd: parameters.securityDomain ?? null,
    scp: link ? `0${link.scp}` : null,
    level: link ? link.level : "clear",
    blockSize: null,
    kcv: link ? link.kcvs : null,
  };
  return { ...base, channel, load: null, installed, exchanges };
}
