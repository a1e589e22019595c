/**
 * One install of a CAP file, by any of the paths `webcard install --via`
 * names: "gp" (GlobalPlatform from the terminal: a secure channel to the
 * ISD, LOAD, INSTALL), "web" (the card's own loader over the web-card link,
 * the four steps of DESIGN.md), "bridge" (the same loader run on the
 * terminal, its orders sent as GlobalPlatform APDUs: for cards without the
 * link) and "auto" (web when the card answers the link's SELECT, else the
 * bridge). All take the same transport, file, choices and keys.
 */
import { UsageError } from "../../stack/errors.ts";
import type { CapFile } from "../../stack/cap/load-file.ts";
import { selectLink } from "../../stack/link/client.ts";
import { inTransaction, type Transport } from "../../stack/transport/transport.ts";
import { openGpSession, type GpConnectOptions } from "../gp/connect.ts";
import { installViaGp, planInstalls, type GpInstallResult, type InstallChoices, type Signing } from "../gp/install.ts";
import { extradite } from "../gp/domains.ts";
import { equal, fromHex, toHex } from "../../stack/bytes.ts";
import type { ProgressCallback } from "../gp/load.ts";
import type { GpSession } from "../gp/session.ts";
import type { WebInstallResult, WebProgress } from "./loading-program.ts";
import { installViaBridge } from "./via-bridge.ts";
import { installViaWeb, type ViaWebResult } from "./via-web.ts";

/** The paths, as `--via` takes them. */
const INSTALL_PATHS = ["gp", "web", "bridge", "auto"] as const;
export type InstallPath = (typeof INSTALL_PATHS)[number];

/** Without a choice: the card's own loader when it has the web-card link, else the bridge. */
const DEFAULT_INSTALL_PATH: InstallPath = "auto";

/** `text` as an install path, or a UsageError naming the ones there are. */
export function installPathOf(text: string | undefined): InstallPath {
  const via = text ?? DEFAULT_INSTALL_PATH;
  if ((INSTALL_PATHS as readonly string[]).includes(via)) return via as InstallPath;
  throw new UsageError(`Unknown install path '${via}': use ${INSTALL_PATHS.join(" or ")}`);
}

export interface InstallRequest {
  via: InstallPath;
  /** Keys, protocol and level of the secure channel (to the ISD, or in the link application on the web path); ISD and block size for gp and bridge. */
  connect: GpConnectOptions;
  /** Delete a copy of the package already on the card (and its instances) first. */
  replace?: boolean;
  /** LOAD progress, on every path: GP LOAD blocks (gp), the loader's own reports as it runs (web, bridge). */
  onProgress?: ProgressCallback;
  /** Progress lines of the web and bridge paths (the loader's steps and orders). */
  onStep?: WebProgress;
  /** Link sessions and bridge steps, for --trace. */
  trace?: (line: string) => void;
  /**
   * `install --domain --dap-key --dm-token-key`: INSTALL [for load] names the SD and carries the
   * hash and a token, LOAD the DAP blocks, INSTALL [for install] a token; the new instances are
   * then moved to that SD (INSTALL [for extradition]). The gp and bridge paths only.
   */
  signing?: Signing;
}

/** What an install did, by the path it took. */
export type InstallOutcome =
  | { via: "gp"; session: GpSession; result: GpInstallResult }
  | { via: "web"; result: ViaWebResult }
  | { via: "bridge"; result: WebInstallResult; session: GpSession };

/**
 * Install `cap` on the card behind `transport` by the path `request.via` names,
 * in one transaction: no other program's command falls between the SELECT,
 * the authentication and the last INSTALL.
 */
export function installCap(transport: Transport, cap: CapFile, choices: InstallChoices, request: InstallRequest): Promise<InstallOutcome> {
  return inTransaction(transport, "install", () => installBy(transport, cap, choices, request));
}

/** The loader's progress reports (bytes) as LOAD progress: blocks of the block size the loader announced. */
function loaderProgress(onProgress: ProgressCallback | undefined): { onLoad?: (done: number, total: number, blockSize: number) => void } {
  if (!onProgress) return {};
  return {
    onLoad: (done, total, blockSize) => {
      const size = Math.max(1, blockSize);
      onProgress({ block: Math.ceil(done / size), blocks: Math.ceil(total / size), bytes: done, totalBytes: total });
    },
  };
}

/** Whether the request asks for what only a GlobalPlatform session can send (another SD, a DAP, tokens). */
const signed = (s: Signing | undefined) => s !== undefined && (s.into !== undefined || s.hash !== undefined || s.dap !== undefined || s.tokenKey !== undefined);

async function installBy(transport: Transport, cap: CapFile, choices: InstallChoices, request: InstallRequest): Promise<InstallOutcome> {
  planInstalls(cap, choices); // bad applet or instance choices fail before the card is touched
  const { trace, signing } = request;
  if (request.via === "web" && signed(signing)) {
    // The link application's loader loads into the ISD with its own INSTALL commands: no SD choice, DAP or token to carry.
    throw new UsageError("--domain, --dap-key, --dm-token-key and --hash need a GlobalPlatform path: the card's own loader (--via web) loads into the ISD only; use --via bridge or gp");
  }
  const outcome = await installOn(transport, cap, choices, request);
  // INSTALL [for install] associates the instances with the SD of the session; --domain names where they belong.
  if (outcome.via !== "web" && signing?.into && !equal(signing.into, outcome.session.isd)) {
    for (const instance of installedInstances(outcome)) {
      await extradite(outcome.session, instance, signing.into, signing.tokenKey);
      trace?.(`moved ${toHex(instance)} to ${toHex(signing.into)} (INSTALL [for extradition])`);
    }
  }
  return outcome;
}

/** The instance AIDs an install made, whatever the path. */
function installedInstances(outcome: InstallOutcome): Uint8Array[] {
  if (outcome.via === "gp") return outcome.result.installed.map((i) => i.instanceAid);
  return outcome.result.result.installed.map((aid) => fromHex(aid));
}

async function installOn(transport: Transport, cap: CapFile, choices: InstallChoices, request: InstallRequest): Promise<InstallOutcome> {
  const { connect, trace, signing } = request;
  const replace = request.replace === true;
  if (request.via === "gp") {
    const session = await openGpSession(transport, connect);
    const result = await installViaGp(session, cap, choices, request.onProgress, { replace, ...(signing ? { signing } : {}) });
    return { via: "gp", session, result };
  }
  // The web and bridge paths leave resume and replace to the loader's script
  // (docs/card-scripts.md section 6): it looks the package up in the card's
  // registry, deletes it first when asked to replace it, installs from the
  // same version without loading it again, and refuses anything else there.
  // With --domain, a DAP or tokens, auto takes the bridge: the card's own loader cannot send them.
  const via = request.via === "auto" ? (!signed(signing) && (await selectLink(transport)) !== undefined ? "web" : "bridge") : request.via;
  if (request.via === "auto") {
    trace?.(
      via === "web"
        ? "card has the web-card link: loading through its web server"
        : signed(signing)
          ? "--domain, DAP or token asked for: loading through the bridge"
          : "card has no web-card link: loading through the bridge",
    );
  }
  const common = { replace, ...(trace ? { trace } : {}), ...loaderProgress(request.onProgress) };
  if (via === "web") {
    const { isd: _isd, blockSize: _blockSize, ...secure } = connect;
    const result = await installViaWeb(transport, cap, choices, request.onStep, { secure, ...common });
    return { via, result };
  }
  const session = await openGpSession(transport, connect);
  const result = await installViaBridge(transport, cap, choices, request.onStep, { session, ...common, ...(signing ? { signing } : {}) });
  return { via, result, session };
}
