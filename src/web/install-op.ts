/**
 * The dashboard's install, by the paths `webcard install --via` names and
 * with its default (auto: the card's own loader when the card has the
 * web-card link, else the bridge), with the same resume and replace:
 * "replace" is the CLI's --force. Progress is LOAD progress on every path;
 * on the web path it comes from the card's loader while it runs
 * (docs/link-protocol.md section 8.1).
 */
import { toHex } from "../stack/bytes.ts";
import { UsageError } from "../stack/errors.ts";
import { parseLoadFile, type CapFile } from "../stack/cap/load-file.ts";
import { defaultKeys } from "../stack/gp/keys.ts";
import { selectLink } from "../stack/link/client.ts";
import { aidFromText } from "../stack/aid.ts";
import { install, type InstallChoices } from "../host/gp/install.ts";
import { load } from "../host/gp/load.ts";
import { checkReusable, findExisting, removeExisting } from "../host/gp/package-on-card.ts";
import type { GpSession } from "../host/gp/session.ts";
import type { WebInstallResult } from "../host/loader/loading-program.ts";
import { installViaBridge } from "../host/loader/via-bridge.ts";
import { installViaWeb } from "../host/loader/via-web.ts";
import type { InstallRequest, OpContext, Progress } from "./deps.ts";

function aidOf(text: string): Uint8Array {
  const aid = aidFromText(text);
  if (aid === undefined) throw new UsageError(`'${text}' is not an AID: give 5 to 16 bytes in hex`);
  return aid;
}

const listOf = (aids: readonly string[]) => aids.map((a) => a.toUpperCase()).join(", ");

/** The loader's progress (bytes) as LOAD progress in blocks of the block size it announced. */
function loaderProgress(onProgress: (p: Progress) => void) {
  return (done: number, total: number, blockSize: number) => {
    const size = Math.max(1, blockSize);
    onProgress({ block: Math.ceil(done / size), blocks: Math.ceil(total / size), bytes: done, totalBytes: total });
  };
}

/** The loader's script takes one set of privileges and parameters for all the applets of one load. */
function loaderChoices(request: InstallRequest): InstallChoices {
  const first = request.instances[0];
  if (!first) throw new UsageError("The card's loader installs at least one applet: give an instance AID, or load a library through GlobalPlatform");
  const same = request.instances.every((i) => i.privileges === first.privileges && toHex(i.params) === toHex(first.params));
  if (!same) throw new UsageError("The card's loader takes one set of privileges and parameters per load: make them equal, or install through GlobalPlatform");
  return {
    applets: request.instances.map((i) => aidOf(i.module)),
    instances: request.instances.map((i) => aidOf(i.instance)),
    privileges: first.privileges,
    ...(first.params.length ? { params: first.params } : {}),
  };
}

/** One line for what the loader's script did (web and bridge). */
function loaderLine(cap: CapFile, where: string, r: WebInstallResult): string {
  const pkg = toHex(cap.packageAid);
  const replaced = (r.result.deleted ?? []).length > 0 ? `Replaced package ${pkg}: ` : "";
  const installed = r.result.installed.length ? ` and installed ${listOf(r.result.installed)}` : "";
  if (r.result.loaded === false) return `${replaced}Installed ${listOf(r.result.installed)} from package ${pkg}, already on the card (nothing loaded)`;
  return `${replaced}Loaded ${pkg} through ${where} (${cap.lfdb.length.toLocaleString("en-US")} bytes)${installed}`;
}

/** GlobalPlatform from the dashboard: per-instance privileges, the same resume and replace as `--via gp`. */
async function installByGp(session: GpSession, cap: CapFile, request: InstallRequest, onProgress: (p: Progress) => void): Promise<string> {
  const existing = await findExisting(session, cap, request.instances.map((i) => aidOf(i.instance)));
  let replaced = false;
  let reused = false;
  if (request.replace) replaced = await removeExisting(session, cap, [], existing);
  else if (existing.loadFile) {
    checkReusable(existing, cap);
    reused = true;
  }
  const loaded = reused ? undefined : await load(session, cap, { onProgress });
  const done: string[] = [];
  for (const i of request.instances) {
    await install(session, cap, { applets: [aidOf(i.module)], instances: [aidOf(i.instance)], privileges: i.privileges, ...(i.params.length ? { params: i.params } : {}) });
    done.push(i.instance);
  }
  const pkg = toHex(cap.packageAid);
  if (!loaded) return `Installed ${listOf(done)} from package ${pkg}, already on the card (nothing loaded)`;
  const what = `${replaced ? `Replaced package ${pkg}: ` : ""}Loaded ${pkg} (${loaded.blocks} blocks, ${loaded.bytes.toLocaleString("en-US")} bytes)`;
  return done.length ? `${what} and installed ${listOf(done)}` : what;
}

/** Install `request` on the card of `ctx` by the path it names; one line saying what was done. */
export async function installFromDashboard(ctx: OpContext, request: InstallRequest, onProgress: (p: Progress) => void, session: () => Promise<GpSession>): Promise<string> {
  const cap = parseLoadFile(request.cap);
  const k = ctx.keys;
  // Auto: the card's own loader when the card has the link and the keys are SCP02/SCP03 (its loader opens no SCP11).
  const via = request.via === "auto" ? (!k?.scp11 && (await selectLink(ctx.transport)) !== undefined ? "web" : "bridge") : request.via;
  if (via === "gp") return installByGp(await session(), cap, request, onProgress);
  const choices = loaderChoices(request);
  const common = { replace: request.replace, onLoad: loaderProgress(onProgress) };
  if (via === "bridge") {
    const r = await installViaBridge(ctx.transport, cap, choices, undefined, { session: await session(), ...common });
    return loaderLine(cap, "the bridge", r);
  }
  if (k?.scp11) throw new UsageError("The card's own loader opens SCP02/SCP03 only: install through the bridge or GlobalPlatform for SCP11");
  const secure = { keys: k?.keys ?? defaultKeys("AES"), kdf: k?.kdf ?? "none", level: "mac" as const, ...(k?.scp ? { scp: k.scp } : {}) };
  const r = await installViaWeb(ctx.transport, cap, choices, undefined, { secure, ...common });
  return loaderLine(cap, "the card's own loader", r);
}
