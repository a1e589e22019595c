/**
 * OL, the loading program: the four steps of DESIGN.md, like a browser
 * filling in a form. 1) GET the loading page; 2) receive the parameters in
 * the session the loader opens; 3) POST the loading file to the script the
 * loader named; 4) read the result the script reports. It talks to a
 * "site" (a fetch function plus a parameters inbox), so the same program
 * drives the card's own web server over the link and the bridge.
 */
import { toHex } from "../../stack/bytes.ts";
import { FormatError, WebcardError } from "../../stack/errors.ts";
import type { CapFile } from "../../stack/cap/load-file.ts";
import { encodePrivileges } from "../../stack/gp/privileges.ts";
import { describeLevel } from "../../stack/gp/security-level.ts";
import type { LoaderParameters } from "../../stack/web/port.ts";
import type { ScriptResult } from "../../stack/web/script/run.ts";
import { LIVE_MEDIA_TYPE, readLive } from "../../stack/web/live-run.ts";
import { planInstalls, type InstallChoices } from "../gp/install.ts";
import { replaceHint } from "../gp/package-on-card.ts";
import { UNSTATED_FREE_MEMORY } from "./card-manager-over-gp.ts";
import { multipartForm } from "./loading-file.ts";

/** Where OL talks to: the card's web server (over the link) or the bridge's. */
export interface LoaderSite {
  fetch(request: Request): Promise<Response>;
  /** Resolves when the loader has delivered its parameters (step 2). */
  parameters: Promise<LoaderParameters>;
  /** Base URL of the site ("http://card"). */
  origin: string;
}

/** A web load that the loader refused: the HTTP status and the script's one-line reason. */
export class WebLoadError extends WebcardError {
  override name = "WebLoadError";
  readonly status: number;
  readonly result: ScriptResult | undefined;
  constructor(status: number, message: string, result?: ScriptResult, hint?: string) {
    const why = hint ?? (status === 401 ? "give the card's keys (--key) so that OL can authenticate" : undefined);
    super(message, why ? { hint: why } : undefined);
    this.status = status;
    this.result = result;
  }
}

export interface WebInstallResult {
  parameters: LoaderParameters;
  result: ScriptResult;
  /** HTTP status of each step, for traces and tests. */
  steps: { loaderStatus: number; loadStatus: number };
}

export type WebProgress = (line: string) => void;

export interface LoadingProgramOptions {
  /** Send this nonce instead of the one received (refusal tests). */
  nonce?: string | undefined;
  /** One line per step of DESIGN.md as it happens (for --trace and the demo). */
  trace?: ((line: string) => void) | undefined;
  /**
   * The LOAD's progress as the loader reports it while it runs: OL asks for
   * the script's run in steps (docs/link-protocol.md section 8.1), which
   * costs one poll a step on the link, so only a caller that shows it asks.
   */
  onLoad?: ((done: number, total: number, blockSize: number) => void) | undefined;
  /** Ask the loader's script to replace a copy of the package already on the card (`--force`). */
  replace?: boolean | undefined;
}

/** Free memory as the loader states it; the bridge cannot read it from a plain card (card-manager-over-gp.ts). */
function freeMemoryText(p: LoaderParameters): string {
  return p.freeMemory >= UNSTATED_FREE_MEMORY ? "free memory not stated" : `${p.freeMemory} bytes free`;
}

/** The parameters of step 2 in one line: everything OL builds the loading file from. */
function describeParameters(p: LoaderParameters): string {
  return [
    `CAP ${p.capVersions.join("/")}`,
    freeMemoryText(p),
    `block size ${p.blockSize}`,
    `security level ${describeLevel(p.securityLevel)} over ${p.authentication.toUpperCase().replace("|", " or ")}`,
    `nonce ${p.nonce}`,
    `script ${p.script}`,
  ].join(", ");
}

/** The install choices as the loading file's `install` field (JSON, hex values). */
function choicesJson(cap: CapFile, choices: InstallChoices): string {
  const params = choices.params ? toHex(choices.params) : "";
  return JSON.stringify(
    planInstalls(cap, choices).map((p) => ({
      module: toHex(p.moduleAid),
      instance: toHex(p.instanceAid),
      privileges: toHex(encodePrivileges(p.privileges)),
      ...(params ? { parameters: params } : {}),
    })),
  );
}

/** Steps 1-4 against `site`; throws WebLoadError with the loader's reason when it refuses. */
export async function runLoadingProgram(
  site: LoaderSite,
  cap: CapFile,
  choices: InstallChoices,
  progress?: WebProgress,
  options: LoadingProgramOptions = {},
): Promise<WebInstallResult> {
  const trace = options.trace;
  // Step 1: the loading page, as a program (JSON): the loader answers 202 and opens session 2.
  trace?.(`OL step 1: GET /loader, asking the loader (IL) for its loading parameters`);
  const page = await site.fetch(new Request(`${site.origin}/loader`, { headers: { accept: "application/json" } }));
  let parameters: LoaderParameters;
  if (page.status === 202) {
    trace?.(`OL step 1: HTTP 202, the loader will deliver its parameters in a session it opens`);
    parameters = await site.parameters; // step 2
    trace?.(`OL step 2: the loader opened a session and delivered: ${describeParameters(parameters)}`);
  } else if (page.ok) {
    parameters = (await page.json()) as LoaderParameters;
    trace?.(`OL step 2: the loading page itself carried: ${describeParameters(parameters)}`);
  } else {
    throw new WebLoadError(page.status, `GET /loader failed with HTTP ${page.status}`);
  }
  progress?.(`loader: ${parameters.where}, CAP ${parameters.capVersions.join("/")}, ${freeMemoryText(parameters)}, block size ${parameters.blockSize}, script ${parameters.script}`);
  // Step 3: the loading file, built from the parameters.
  const install = choicesJson(cap, choices);
  const { body, contentType } = multipartForm([
    { name: parameters.fields.nonce, value: options.nonce ?? parameters.nonce },
    { name: parameters.fields.install, value: install },
    ...(options.replace ? [{ name: parameters.fields.replace ?? "replace", value: "yes" }] : []),
    { name: parameters.fields.loadFile, value: cap.lfdb, filename: "load.ijc" },
  ]);
  trace?.(`OL step 3: POST ${parameters.script}, loading file of ${body.length} bytes: nonce, install ${install}, load file ${cap.lfdb.length} bytes`);
  const onLoad = options.onLoad;
  const accept = onLoad ? `${LIVE_MEDIA_TYPE}, application/json` : "application/json";
  const post = await site.fetch(new Request(`${site.origin}${parameters.script}`, { method: "POST", headers: { "content-type": contentType, accept }, body: body as Uint8Array<ArrayBuffer> }));
  // Step 4: the script's report, as it runs when it comes in steps, else whole.
  let result: ScriptResult | undefined;
  try {
    if (post.headers.get("content-type") === LIVE_MEDIA_TYPE && post.body) {
      result = await readLive(post.body, (event) => {
        if ("line" in event) trace?.(`OL step 4: the script reports: ${event.line}`);
        else if ("load" in event) onLoad?.(event.load.done, event.load.total, parameters.blockSize);
      });
    } else {
      result = (await post.json()) as ScriptResult;
    }
  } catch (error) {
    if (!(error instanceof SyntaxError) && !(error instanceof FormatError)) throw error;
  }
  if (result === undefined) throw new WebLoadError(post.status, `POST ${parameters.script} answered HTTP ${post.status} without a report`);
  const status = post.status === 200 && result.status !== undefined ? result.status : post.status;
  trace?.(`OL step 4: ${parameters.script} answered HTTP ${status}: ${result.message}; the script's orders to the card manager and its reports:`);
  for (const line of result.progress ?? []) progress?.(line);
  if (status !== 200) {
    const { message, hint } = explain(result, cap);
    throw new WebLoadError(status, message, result, hint);
  }
  return { parameters, result, steps: { loaderStatus: page.status, loadStatus: status } };
}

/** The hint the GlobalPlatform path gives with one missing import (host/gp/explain.ts), so the CLI prints the same line. */
const MISSING_IMPORT_HINT = "this applet needs a card that has that package";

/**
 * The loader's reason, in the words of the GlobalPlatform path where it is
 * the same refusal (a missing import), so every path gives the same line.
 */
function explain(result: ScriptResult, cap: CapFile): { message: string; hint?: string } {
  const e = result.error;
  if (e) {
    const imported = /imported package ([0-9A-F]{10,32})/.exec(e.reason);
    const imp = imported && cap.imports.find((i) => toHex(i.aid) === imported[1]);
    if (imp) {
      return { message: `${e.operation} refused with ${e.sw}: the card lacks imported package ${toHex(imp.aid)} ${imp.major}.${imp.minor}`, hint: MISSING_IMPORT_HINT };
    }
  }
  // The script's own refusal of a package already on the card: the GlobalPlatform path's line and advice.
  if (result.status === 409 && !e && result.message.startsWith(`Package ${toHex(cap.packageAid)} `)) {
    return { message: result.message, hint: replaceHint(cap.packageAid) };
  }
  // The loader's own line; its HTTP status is in --trace (OL step 4), not in what a technician reads.
  return { message: result.message };
}
