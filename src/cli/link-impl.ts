/**
 * `webcard fetch`, and the `--via web|bridge` install paths for
 * `webcard install` (wired in gp-install-impl.ts's INSTALL_PATHS).
 */
import { readFileSync } from "node:fs";
import { toHex } from "../stack/bytes.ts";
import { UsageError } from "../stack/errors.ts";
import type { CapFile } from "../stack/cap/load-file.ts";
import { selectLink } from "../stack/link/client.ts";
import { CardWeb, cardRequest } from "../host/link/card-web.ts";
import { installViaWeb } from "../host/loader/via-web.ts";
import { installViaBridge } from "../host/loader/via-bridge.ts";
import type { WebInstallResult } from "../host/loader/ol.ts";
import type { InstallChoices } from "../host/gp/install.ts";
import type { Context } from "./context.ts";
import { connectOptionsFrom, type GpFlags, type InstallFlags } from "./gp-options.ts";
import { rawOption, rawOptionValues } from "./gp-argv.ts";
import { sessionOn, withTarget } from "./gp-session.ts";
import type { Target } from "./target.ts";

export interface FetchFlags extends GpFlags {
  request?: unknown;
  header?: unknown;
  data?: unknown;
  include?: boolean;
  auth?: boolean;
  short?: boolean;
}

function headersFrom(flags: FetchFlags): Headers {
  const headers = new Headers();
  const values = flags.header === undefined ? [] : rawOptionValues("header").length ? [...rawOptionValues("header"), ...rawOptionValues("H")] : [flags.header].flat().map(String);
  for (const h of values) {
    const colon = h.indexOf(":");
    if (colon <= 0) throw new UsageError(`Header '${h}' must be 'Name: value'`);
    headers.append(h.slice(0, colon).trim(), h.slice(colon + 1).trim());
  }
  return headers;
}

function bodyFrom(flags: FetchFlags): Uint8Array | undefined {
  if (flags.data === undefined) return undefined;
  const text = String(flags.data);
  if (text.startsWith("@")) {
    try {
      return new Uint8Array(readFileSync(text.slice(1)));
    } catch (error) {
      throw new UsageError(`Cannot read ${text.slice(1)}: ${(error as Error).message}`, { cause: error });
    }
  }
  return new TextEncoder().encode(text);
}

/** `webcard fetch PATH [-X METHOD] [-H HEADER] [-d DATA]`. */
export async function fetchCommand(ctx: Context, path: string, flags: FetchFlags): Promise<void> {
  const body = bodyFrom(flags);
  const method = flags.request === undefined ? (body ? "POST" : "GET") : String(flags.request).toUpperCase();
  const headers = headersFrom(flags);
  const secure = flags.auth ? connectOptionsFrom(flags) : undefined;
  await withTarget(ctx, flags, async (target) => {
    const web = await CardWeb.open(target.transport, {
      ...(secure ? { secure } : {}),
      ...(flags.short ? { short: true } : {}),
      ...(ctx.trace ? { trace: ctx.err } : {}),
    });
    const response = await web.fetch(cardRequest(path, { method, headers, ...(body ? { body: body as Uint8Array<ArrayBuffer> } : {}) }));
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (ctx.json) {
      const text = new TextDecoder().decode(bytes);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      const headerObject: Record<string, string> = {};
      response.headers.forEach((v, k) => (headerObject[k] = v));
      return ctx.printJson({ ok: response.ok, status: response.status, headers: headerObject, ...(json === undefined ? { body: text } : { json }) });
    }
    if (flags.include) {
      ctx.out(`HTTP/1.1 ${response.status} ${response.statusText}`);
      response.headers.forEach((v, k) => ctx.out(`${k}: ${v}`));
      ctx.out("");
    }
    process.stdout.write(bytes);
    if (bytes.length && bytes[bytes.length - 1] !== 0x0a) process.stdout.write("\n");
  });
}

function report(ctx: Context, via: string, cap: CapFile, r: WebInstallResult, exchanges?: number): void {
  if (ctx.json) {
    return ctx.printJson({ ok: true, via, package: toHex(cap.packageAid), installed: r.result.installed, progress: r.result.progress, ...(exchanges === undefined ? {} : { exchanges }) });
  }
  ctx.out(`Loaded package ${toHex(cap.packageAid)} through the ${via === "web" ? "card's web server" : "bridge"}: ${r.result.message}`);
  for (const i of r.result.installed) ctx.out(`Installed applet ${i}`);
}

/** Progress lines of the web and bridge paths: on a terminal, or with --trace; never in --json output. */
function progressSink(ctx: Context): ((line: string) => void) | undefined {
  if (ctx.json && !ctx.trace) return undefined;
  return ctx.interactive || ctx.trace ? ctx.err : undefined;
}

async function viaWeb(ctx: Context, target: Target, cap: CapFile, flags: InstallFlags, choices: InstallChoices): Promise<void> {
  const { keySource: _k, isd: _i, blockSize: _b, ...secure } = connectOptionsFrom(flags);
  const r = await installViaWeb(target.transport, cap, choices, progressSink(ctx), {
    secure,
    ...(ctx.trace ? { trace: ctx.err } : {}),
  });
  report(ctx, "web", cap, r, r.exchanges);
}

async function viaBridge(ctx: Context, target: Target, cap: CapFile, flags: InstallFlags, choices: InstallChoices): Promise<void> {
  const session = await sessionOn(target, flags);
  const r = await installViaBridge(target.transport, cap, choices, progressSink(ctx), {
    session,
    ...(ctx.trace ? { trace: ctx.err } : {}),
  });
  report(ctx, "bridge", cap, r);
}

/** `--via web`: OL over the link, authenticated with the flags' keys. Same signature as gp-install-impl's InstallPath. */
export async function installPathWeb(ctx: Context, cap: CapFile, flags: InstallFlags, choices: InstallChoices): Promise<void> {
  await withTarget(ctx, flags, (target) => viaWeb(ctx, target, cap, flags, choices));
}

/** `--via bridge`: the web server on the terminal, orders as GP APDUs. Same signature as InstallPath. */
export async function installPathBridge(ctx: Context, cap: CapFile, flags: InstallFlags, choices: InstallChoices): Promise<void> {
  await withTarget(ctx, flags, (target) => viaBridge(ctx, target, cap, flags, choices));
}

/** No `--via`: the web path when the card answers the link's SELECT, the bridge otherwise (one card session). */
export async function installPathAuto(ctx: Context, cap: CapFile, flags: InstallFlags, choices: InstallChoices): Promise<void> {
  await withTarget(ctx, flags, async (target) => {
    const hasLink = (await selectLink(target.transport)) !== undefined;
    if (ctx.trace) ctx.err(hasLink ? "card has the web-card link: loading through its web server" : "card has no web-card link: loading through the bridge");
    return hasLink ? viaWeb(ctx, target, cap, flags, choices) : viaBridge(ctx, target, cap, flags, choices);
  });
}
