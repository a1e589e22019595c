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
   * "selectable": every path installs with INSTALL [for install and make
   * selectable] (GP 11.5.2.3.1), which leaves the instance SELECTABLE when
   * the card answers 9000.
   */
  lifeCycle: "selectable";
}

function instanceJson(i: InstalledInstance): InstalledJson {
  return { module: toHex(i.moduleAid), instance: toHex(i.instanceAid), privileges: privilegeNames(i.privileges), lifeCycle: "selectable" };
}

/** The install document for `outcome` on the card `reader` describes. */
export function installJson(cap: CapFile, choices: InstallChoices, reader: string, outcome: InstallOutcome): Record<string, unknown> {
  const common = { ok: true, path: outcome.via, reader, package: toHex(cap.packageAid), version: `${cap.packageVersion.major}.${cap.packageVersion.minor}` };
  if (outcome.via === "gp") {
    const { session, result } = outcome;
    return {
      ...common,
      channel: channelJson(session),
      replaced: result.replaced,
      reused: result.reused,
      load: result.reused ? null : loadJson(result.load),
      installed: result.installed.map(instanceJson),
    };
  }
  // The card's script names the instances it installed; module and privileges are those planned for them.
  const done = new Set(outcome.result.result.installed.map((aid) => aid.toUpperCase()));
  const installed = planInstalls(cap, choices).filter((p) => done.has(toHex(p.instanceAid))).map(instanceJson);
  const link = outcome.via === "web" ? outcome.result.channel : undefined;
  const channel = link
    ? { isd: toHex(outcome.session.isd), scp: `0${link.scp}`, level: link.level, blockSize: null, kcv: link.kcvs }
    : { ...channelJson(outcome.session), ...(outcome.via === "web" ? { blockSize: null } : {}) };
  return {
    ...common,
    channel,
    replaced: outcome.replaced,
    reused: false,
    load: null,
    installed,
    ...(outcome.via === "web" ? { exchanges: outcome.result.exchanges } : {}),
  };
}
