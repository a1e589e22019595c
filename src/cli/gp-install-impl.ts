/**
 * `webcard load FILE` and `webcard install FILE`. Options are parsed once,
 * here; the install itself goes through one of the install paths by `--via`
 * ("gp" the direct GlobalPlatform path; "web" the card's own loader over the
 * web-card link; "bridge" the same flow run on the terminal for plain GP
 * cards; "auto" picks web or bridge). Every path has the same signature.
 */
import { toHex } from "../stack/bytes.ts";
import { UsageError } from "../stack/errors.ts";
import type { CapFile } from "../stack/cap/load-file.ts";
import { checkLoadSize, load, type LoadResult } from "../host/gp/load.ts";
import { installViaGp, planInstalls, type InstallChoices, type InstalledInstance } from "../host/gp/install.ts";
import { removeExisting } from "../host/gp/existing.ts";
import { maxBlockSize } from "../host/gp/session.ts";
import { privilegeNames } from "../stack/gp/privileges.ts";
import type { Context } from "./context.ts";
import { readLoadFile } from "./cap-impl.ts";
import { connectOptionsFrom, installChoicesFrom, type GpFlags, type InstallFlags } from "./gp-options.ts";
import { withSession } from "./gp-session.ts";
import { channelJson } from "./gp-format.ts";
import { createProgressBar } from "./progress.ts";

/** Refuse a load file over 256 blocks before opening the card, at the largest block size the options allow. */
function precheckSize(cap: CapFile, flags: GpFlags): void {
  const options = connectOptionsFrom(flags);
  checkLoadSize(cap, options.blockSize ?? maxBlockSize(options.level));
}

function loadLine(cap: CapFile, r: LoadResult): string {
  const v = `${cap.packageVersion.major}.${cap.packageVersion.minor}`;
  return `Loaded package ${toHex(cap.packageAid)} ${v}: ${r.bytes} bytes in ${r.blocks} LOAD block${r.blocks === 1 ? "" : "s"} of ${r.blockSize}`;
}

function reusedLine(cap: CapFile): string {
  const v = `${cap.packageVersion.major}.${cap.packageVersion.minor}`;
  return `Package ${toHex(cap.packageAid)} ${v} is already on the card: installing from it without loading again (--force loads it anew)`;
}

function loadJson(r: LoadResult) {
  return { blocks: r.blocks, bytes: r.bytes, blockSize: r.blockSize };
}

function installedJson(i: InstalledInstance) {
  return { applet: toHex(i.moduleAid), instance: toHex(i.instanceAid), privileges: privilegeNames(i.privileges) };
}

/** `webcard load FILE`: INSTALL [for load] and LOAD only. */
export async function loadCommand(ctx: Context, file: string, flags: GpFlags): Promise<void> {
  const cap = readLoadFile(file);
  precheckSize(cap, flags);
  await withSession(ctx, flags, async (session, target) => {
    const bar = ctx.json ? createProgressBar({ isTTY: false, write: () => true }) : createProgressBar();
    let result: LoadResult;
    try {
      result = await load(session, cap, { onProgress: bar.update });
    } finally {
      bar.done();
    }
    if (ctx.json) {
      return ctx.printJson({ ok: true, target: target.describe, channel: channelJson(session), package: toHex(cap.packageAid), load: loadJson(result) });
    }
    ctx.out(loadLine(cap, result));
  });
}

/** One way of installing a CAP: all share the parsed file, flags and choices. */
export type InstallPath = (ctx: Context, cap: CapFile, flags: InstallFlags, choices: InstallChoices) => Promise<void>;

/** The direct GlobalPlatform path: secure channel to the ISD, load, install. */
export const installPathGp: InstallPath = async (ctx, cap, flags, choices) => {
  precheckSize(cap, flags);
  await withSession(ctx, flags, async (session, target) => {
    const bar = ctx.json ? createProgressBar({ isTTY: false, write: () => true }) : createProgressBar();
    let result: Awaited<ReturnType<typeof installViaGp>>;
    try {
      result = await installViaGp(session, cap, choices, bar.update, { replace: flags.force === true });
    } finally {
      bar.done();
    }
    if (ctx.json) {
      return ctx.printJson({
        ok: true,
        via: "gp",
        target: target.describe,
        channel: channelJson(session),
        package: toHex(cap.packageAid),
        reused: result.reused,
        replaced: result.replaced,
        load: loadJson(result.load),
        installed: result.installed.map(installedJson),
      });
    }
    if (result.replaced) ctx.out(`Deleted the copy of package ${toHex(cap.packageAid)} already on the card (--force)`);
    ctx.out(result.reused ? reusedLine(cap) : loadLine(cap, result.load));
    for (const i of result.installed) {
      const same = toHex(i.moduleAid) === toHex(i.instanceAid);
      const privs = privilegeNames(i.privileges);
      ctx.out(
        `Installed applet ${toHex(i.moduleAid)}${same ? "" : ` as ${toHex(i.instanceAid)}`}${privs.length ? ` with ${privs.join(", ")}` : ""}`,
      );
    }
  });
};

/** Install paths by `--via` value; the web-card paths live in link-impl.ts and load only when chosen. */
export const INSTALL_PATHS: Record<string, InstallPath> = {
  gp: installPathGp,
  web: async (...a) => (await import("./link-impl.ts")).installPathWeb(...a),
  bridge: async (...a) => (await import("./link-impl.ts")).installPathBridge(...a),
  auto: async (...a) => (await import("./link-impl.ts")).installPathAuto(...a),
};

/** Without --via: the card's own loader when it has the web-card link, else the bridge (see link-impl.ts). */
export const DEFAULT_INSTALL_PATH = "auto";

/** `webcard install FILE [--applet AID] [--instance AID] [--privs LIST] [--params HEX] [--default] [--via PATH]`. */
export async function installCommand(ctx: Context, file: string, flags: InstallFlags): Promise<void> {
  const via = flags.via === undefined ? DEFAULT_INSTALL_PATH : String([flags.via].flat().pop()); // a repeated --via: the last wins
  const path = INSTALL_PATHS[via];
  if (!path) throw new UsageError(`Unknown install path '${via}': use ${Object.keys(INSTALL_PATHS).join(" or ")}`);
  const choices = installChoicesFrom(flags);
  const cap = readLoadFile(file);
  const plans = planInstalls(cap, choices); // bad applet or instance choices fail before the card is opened
  if (flags.force === true && via !== "gp") {
    // The web and bridge paths load through the card's script: make room first, in a GP session.
    await withSession(ctx, flags, async (session) => {
      if ((await removeExisting(session, cap, plans.map((p) => p.instanceAid))) && !ctx.json) {
        ctx.out(`Deleted the copy of package ${toHex(cap.packageAid)} already on the card (--force)`);
      }
    });
  }
  await path(ctx, cap, flags, choices);
}
