/**
 * `webcard install FILE [--applet AID] [--instance AID] [--privs LIST]
 * [--params HEX] [--default] [--via PATH] [--force] [--domain SD]
 * [--dap-key FILE] [--dm-token-key FILE]`. Options are parsed
 * once, here; the install itself is src/host/loader/install-paths.ts, by the
 * path `--via` names; this file only reports what it did.
 */
import { fromHex, hexProblem, toHex } from "../../stack/bytes.ts";
import { UsageError } from "../../stack/errors.ts";
import type { CapFile } from "../../stack/cap/load-file.ts";
import { parsePrivileges, privilegeNames } from "../../stack/gp/privileges.ts";
import { implicitSelectionByte, withImplicitSelection, type DefaultInterface } from "../../stack/gp/implicit-selection.ts";
import { planInstalls, type InstallChoices } from "../../host/gp/install.ts";
import { installCap, installPathOf, type InstallOutcome } from "../../host/loader/install-paths.ts";
import type { Context } from "../context.ts";
import { aidFrom, asUsage, listFrom, loadConnectOptionsFrom } from "../option-values.ts";
import { readLoadFile } from "../load-file.ts";
import { explainAuthFailure, withTarget } from "../session.ts";
import { installJson, outcomeFacts } from "../install-json.ts";
import { loadLine, loadProgressBar, precheckSize, signingOptions, type LoadFlags } from "./load.ts";

/** Flags of `webcard install` (with load's --domain, --dap-key, --dap-domain, --hash, --dm-token-key). */
export interface InstallFlags extends LoadFlags {
  applet?: string[];
  instance?: string[];
  privs?: string;
  params?: string;
  /** Bare: the card reset privilege; or the interface(s) it is the default on: contact, contactless, both. */
  default?: boolean | string;
  via?: string;
  force?: boolean;
}

/** Install choices from `webcard install` flags. */
export function installChoicesFrom(flags: InstallFlags): InstallChoices {
  const applets = listFrom(flags.applet).map((a) => aidFrom(a, "Applet AID"));
  const instances = listFrom(flags.instance).map((a) => aidFrom(a, "Instance AID"));
  const privs = flags.privs;
  const privileges = privs === undefined ? undefined : asUsage(() => parsePrivileges(privs));
  let params: Uint8Array | undefined;
  if (flags.params !== undefined) {
    try {
      params = fromHex(flags.params);
    } catch (error) {
      const problem = hexProblem(flags.params);
      const what = problem === undefined ? "" : `${problem}; `;
      throw new UsageError(`--params '${flags.params}' is not hex: ${what}give raw applet parameters or a C9 field as hex digits`, { cause: error });
    }
  }
  const where = defaultInterfaceFrom(flags.default);
  // Per interface (amendment C): CF in the install parameters' EF; the contact side also takes the card reset privilege.
  const withCf = where === undefined ? params : asUsage(() => withImplicitSelection(params, implicitSelectionByte(where)));
  const makeDefault = flags.default === true || where === "contact" || where === "both";
  if (where === "contactless" && (applets.length > 1 || instances.length > 1)) {
    throw new UsageError("Only one application can be the default selected one: choose it with --applet");
  }
  return {
    ...(applets.length ? { applets } : {}),
    ...(instances.length ? { instances } : {}),
    ...(privileges === undefined ? {} : { privileges }),
    ...(withCf === undefined ? {} : { params: withCf }),
    ...(makeDefault ? { makeDefault: true } : {}),
  };
}

const DEFAULT_INTERFACES = ["contact", "contactless", "both"] as const;

/** `--default` bare (undefined: the card reset privilege only) or `--default contact|contactless|both`. */
function defaultInterfaceFrom(value: boolean | string | undefined): DefaultInterface | undefined {
  if (value === undefined || value === true || value === false) return undefined;
  const v = value.trim().toLowerCase();
  if ((DEFAULT_INTERFACES as readonly string[]).includes(v)) return v as DefaultInterface;
  throw new UsageError(`--default '${value}': give contact, contactless or both (or --default alone for the card reset privilege)`);
}

function replacedLine(cap: CapFile): string {
  return `Deleted the copy of package ${toHex(cap.packageAid)} already on the card (--force)`;
}

function reusedLine(cap: CapFile): string {
  const v = `${cap.packageVersion.major}.${cap.packageVersion.minor}`;
  return `Package ${toHex(cap.packageAid)} ${v} is already on the card: installing from it without loading again (--force loads it anew)`;
}

/** Print what an install did: the one JSON document of every path, or the same lines on every path. */
function report(ctx: Context, cap: CapFile, choices: InstallChoices, target: string, outcome: InstallOutcome): void {
  if (ctx.json) return ctx.printJson(installJson(cap, choices, target, outcome));
  const facts = outcomeFacts(cap, choices, outcome);
  if (facts.replaced) ctx.out(replacedLine(cap));
  if (facts.reused) ctx.out(reusedLine(cap));
  else if (outcome.via === "gp") ctx.out(loadLine(cap, outcome.result.load));
  else ctx.out(`Loaded ${cap.extended ? "CAP file" : "package"} ${toHex(cap.packageAid)} ${cap.packageVersion.major}.${cap.packageVersion.minor} through the ${outcome.via === "web" ? "card's web server" : "bridge"}: ${cap.lfdb.length} bytes`);
  for (const i of facts.installed) {
    const same = toHex(i.moduleAid) === toHex(i.instanceAid);
    const privs = privilegeNames(i.privileges);
    ctx.out(`Installed applet ${toHex(i.moduleAid)}${same ? "" : ` as ${toHex(i.instanceAid)}`}${privs.length ? ` with ${privs.join(", ")}` : ""}`);
  }
}

/** The card loader's steps and orders (web and bridge paths): with --trace only; a terminal gets the progress bar. */
function stepSink(ctx: Context): ((line: string) => void) | undefined {
  return ctx.trace ? ctx.err : undefined;
}

export async function installCommand(ctx: Context, file: string, flags: InstallFlags): Promise<void> {
  const via = installPathOf(flags.via);
  const choices = installChoicesFrom(flags);
  const connect = loadConnectOptionsFrom(flags);
  const cap = readLoadFile(file);
  planInstalls(cap, choices); // bad applet or instance choices fail before the card is opened
  if (via === "gp") precheckSize(cap, flags);
  const signing = signingOptions(cap, flags); // key files are read before the card is opened
  const into = signing.into;
  await withTarget(ctx, flags, async (target) => {
    // Only a bar someone sees asks the card's loader for its progress (one poll a step on the web path).
    const bar = ctx.json || !ctx.interactive ? undefined : loadProgressBar(ctx);
    const onStep = stepSink(ctx);
    let outcome: InstallOutcome;
    try {
      outcome = await installCap(target.transport, cap, choices, {
        via,
        connect,
        replace: flags.force === true,
        ...(Object.keys(signing).length ? { signing } : {}),
        ...(bar ? { onProgress: bar.update } : {}),
        ...(onStep ? { onStep } : {}),
        ...(ctx.trace ? { trace: ctx.err } : {}),
      });
    } catch (error) {
      throw explainAuthFailure(error, connect.keySource);
    } finally {
      bar?.done();
    }
    report(ctx, cap, choices, target.describe, outcome);
    if (into && !ctx.json && outcome.via !== "web" && toHex(into) !== toHex(outcome.session.isd)) {
      ctx.out(`Associated the new instances with security domain ${toHex(into)} (INSTALL [for extradition])`);
    }
  });
}
