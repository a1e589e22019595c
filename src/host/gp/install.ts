/**
 * Install applets from a loaded package: INSTALL [for install and make
 * selectable] for each chosen applet, with its instance AID, privileges and
 * parameters; and the full GlobalPlatform path `installViaGp`: load, then install.
 */
import { inTransaction, send } from "../../stack/transport/transport.ts";
import { installForInstall } from "../../stack/gp/install.ts";
import { check } from "../../stack/check.ts";
import { UsageError, WebcardError, SwError } from "../../stack/errors.ts";
import { equal, toHex } from "../../stack/bytes.ts";
import { PRIV1 } from "../../stack/gp/constants.ts";
import type { GpSession } from "./session.ts";
import { checkLoadSize, load, type LoadFile, type LoadOptions, type LoadResult, type ProgressCallback } from "./load.ts";
import { withSignedInstallToken } from "../../stack/gp/token.ts";
import { IMPLICIT, implicitSelectionOf } from "../../stack/gp/implicit-selection.ts";
import type { KeyObject } from "node:crypto";
import { explainRefusal } from "./explain.ts";
import { getStatusAll } from "./registry.ts";
import { checkReusable, findExisting, removeExisting } from "./package-on-card.ts";

/** What to install from a CAP (all optional: by default every applet, instance AID = applet AID). */
export interface InstallChoices {
  /** Applet (module) AIDs to install; every applet of the CAP when empty or absent. */
  applets?: Uint8Array[];
  /** Instance AIDs, one per installed applet in order; the applet AID when absent. */
  instances?: Uint8Array[];
  /** Privileges of every new instance (24-bit set, see privileges.ts). */
  privileges?: number;
  /** Raw applet parameters or an install parameter field (C9 ...). */
  params?: Uint8Array;
  /** Make the (single) new instance the default selected application (card-reset privilege). */
  makeDefault?: boolean;
}

/** One INSTALL to make. */
export interface InstallPlan {
  moduleAid: Uint8Array;
  instanceAid: Uint8Array;
  privileges: number;
}

/** The installs that `choices` ask for, checked against the CAP; throws UsageError on a bad choice. */
export function planInstalls(file: LoadFile, choices: InstallChoices = {}): InstallPlan[] {
  const modules = choices.applets?.length ? choices.applets : file.applets.map((a) => a.aid);
  if (modules.length === 0) {
    throw new UsageError(`Package ${toHex(file.packageAid)} has no applets to install: use 'webcard load' for a library`);
  }
  for (const m of modules) {
    if (!file.applets.some((a) => equal(a.aid, m))) {
      throw new UsageError(
        `Applet ${toHex(m)} is not in this CAP: it has ${file.applets.map((a) => toHex(a.aid)).join(", ") || "no applets"}`,
      );
    }
  }
  const instances = choices.instances ?? [];
  if (instances.length > 0 && instances.length !== modules.length) {
    throw new UsageError(
      `Got ${instances.length} instance AIDs for ${modules.length} applets: give one --instance per applet, or choose applets with --applet`,
    );
  }
  if (choices.makeDefault && modules.length > 1) {
    throw new UsageError("Only one application can be the default selected one: choose it with --applet");
  }
  const privileges = (choices.privileges ?? 0) | (choices.makeDefault ? PRIV1.CARD_RESET << 16 : 0);
  return modules.map((m, i) => ({ moduleAid: m, instanceAid: instances[i] ?? m, privileges }));
}

/** What was installed. */
export interface InstalledInstance {
  moduleAid: Uint8Array;
  instanceAid: Uint8Array;
  privileges: number;
}

/**
 * INSTALL [for install and make selectable] each planned applet of an already loaded package;
 * each carries a delegated-management token signed with `tokenKey` when given (GP 9.4).
 */
export function install(session: GpSession, file: LoadFile, choices: InstallChoices = {}, tokenKey?: KeyObject): Promise<InstalledInstance[]> {
  return inTransaction(session.channel, "install", () => sendInstalls(session, file, choices, tokenKey));
}

async function sendInstalls(session: GpSession, file: LoadFile, choices: InstallChoices, tokenKey: KeyObject | undefined): Promise<InstalledInstance[]> {
  const plans = planInstalls(file, choices);
  const done: InstalledInstance[] = [];
  for (const p of plans) {
    try {
      const command = installForInstall({
        packageAid: file.packageAid,
        moduleAid: p.moduleAid,
        instanceAid: p.instanceAid,
        privileges: p.privileges,
        ...(choices.params ? { params: choices.params } : {}),
      });
      check(await send(session.channel, tokenKey ? withSignedInstallToken(command, tokenKey) : command), "INSTALL [for install]");
    } catch (error) {
      throw await explainInstall(error, session, file, p.instanceAid, choices);
    }
    done.push(p);
  }
  return done;
}

async function explainInstall(error: unknown, session: GpSession, file: LoadFile, instance: Uint8Array, choices: InstallChoices): Promise<unknown> {
  if (error instanceof SwError && (error.sw === 0x6985 || error.sw === 0x6a89)) {
    const apps = await getStatusAll(session.channel, "apps").catch(() => []);
    if (apps.some((a) => equal(a.aid, instance))) {
      return new WebcardError(`Instance ${toHex(instance)} already exists on the card (${error.swHex})`, {
        cause: error,
        hint: `delete it first (webcard delete ${toHex(instance)}) or choose another --instance`,
      });
    }
    // --default: another application already is the default where this one would be (amendment C, GP 6.6.1).
    const bits = (cfs: readonly number[]) => cfs.reduce((b, cf) => b | (cf & (IMPLICIT.CONTACT | IMPLICIT.CONTACTLESS)), 0);
    const wanted = bits(implicitSelectionOf(choices.params ?? new Uint8Array(0))) | (choices.makeDefault ? IMPLICIT.CONTACT : 0);
    const cardReset = (a: { privileges: number }) => ((a.privileges >> 16) & PRIV1.CARD_RESET) !== 0;
    const holder = apps.find((a) => (bits(a.implicitSelection ?? []) | (cardReset(a) ? IMPLICIT.CONTACT : 0)) & wanted);
    if (holder) {
      return new WebcardError(`Application ${toHex(holder.aid)} is already the default selected one there (${error.swHex})`, {
        cause: error,
        hint: "leave out --default, or take it from that application first",
      });
    }
  }
  return explainRefusal(error, session.channel, file.imports ?? []);
}

/** What installViaGp did. */
export interface GpInstallResult {
  /** The LOAD; no blocks when the package was already on the card (`reused`). */
  load: LoadResult;
  /** The same package version was on the card without the planned instances: installed from it. */
  reused: boolean;
  /** `replace` deleted an earlier copy of the package (and its instances) first. */
  replaced: boolean;
  installed: InstalledInstance[];
}

export interface GpInstallOptions {
  /** Delete a copy of the package already on the card (with its instances) and load it again. */
  replace?: boolean;
  /** The security domain to load into, the LFDB hash, DAP blocks and the token key (`install --domain --dap-key --dm-token-key`). */
  signing?: Signing;
}

/** What `load --domain --dap-key --dm-token-key` and the same options of `install` send (host/gp/load.ts LoadOptions). */
export type Signing = Omit<LoadOptions, "onProgress">;

/**
 * The direct GlobalPlatform install: check the choices (before sending
 * anything), look the package up on the card, load it (or go on from the copy
 * already there), install its applets.
 */
export function installViaGp(
  session: GpSession,
  file: LoadFile,
  choices: InstallChoices = {},
  onProgress?: ProgressCallback,
  options: GpInstallOptions = {},
): Promise<GpInstallResult> {
  return inTransaction(session.channel, "install", () => loadAndInstall(session, file, choices, onProgress, options));
}

async function loadAndInstall(
  session: GpSession,
  file: LoadFile,
  choices: InstallChoices,
  onProgress: ProgressCallback | undefined,
  options: GpInstallOptions,
): Promise<GpInstallResult> {
  const plans = planInstalls(file, choices); // bad choices fail before the card is touched
  checkLoadSize(file, session.blockSize); // so does a file over 256 blocks
  const existing = await findExisting(session, file, plans.map((p) => p.instanceAid));
  let reused = false;
  let replaced = false;
  if (options.replace) {
    replaced = await removeExisting(session, file, [], existing);
  } else if (existing.loadFile) {
    checkReusable(existing, file);
    reused = true;
  }
  const loaded = reused
    ? { blocks: 0, bytes: 0, blockSize: session.blockSize }
    : await load(session, file, { ...options.signing, ...(onProgress ? { onProgress } : {}) });
  const installed = await install(session, file, choices, options.signing?.tokenKey);
  return { load: loaded, reused, replaced, installed };
}
