/**
 * `webcard install --via bridge`: for a card without a link application.
 * The same web server, CGI gateway and script agent run on the terminal;
 * their orders go to the card as GlobalPlatform APDUs under SCP02/SCP03.
 * OL is the same program; session 2 is an in-process call here.
 */
import { parseLoadFile, type CapFile } from "../../stack/cap/load-file.ts";
import { defaultKeys } from "../../stack/gp/keys.ts";
import { startLine } from "../../stack/link/client.ts";
import { serializeRequest, serializeResponse } from "../../stack/link/http.ts";
import { inTransaction, type Transport } from "../../stack/transport/transport.ts";
import type { LoaderParameters, WebEnv } from "../../stack/web/port.ts";
import { createCardWebApp, type ScriptStore } from "../../stack/web/server.ts";
import { openGpSession, type GpConnectOptions } from "../gp/connect.ts";
import type { InstallChoices, Signing } from "../gp/install.ts";
import type { GpSession } from "../gp/session.ts";
import { LEVEL_BYTE } from "../../stack/gp/security-level.ts";
import { gpLoaderPort } from "./card-manager-over-gp.ts";
import { runLoadingProgram, type LoadingProgramOptions, type WebInstallResult, type WebProgress } from "./loading-program.ts";

export interface ViaBridgeOptions {
  /** How to open the GP session (default: test key, C-MAC). Ignored when `session` is given. */
  connect?: GpConnectOptions;
  /** An already open GP session (the CLI's withSession). */
  session?: GpSession;
  /** Scripts of the bridge (default: the built-in ones). */
  scripts?: ScriptStore;
  trace?: (line: string) => void;
  nonce?: string;
  /** The LOAD's progress as the bridge's loader sends it, block by block. */
  onLoad?: LoadingProgramOptions["onLoad"];
  /** Load into another security domain, with a DAP and delegated-management tokens. */
  signing?: Signing;
  /** Replace a copy of the package already on the card (the script deletes it first). */
  replace?: boolean;
}

/** A ScriptStore in memory. */
function memoryScripts(): ScriptStore {
  const m = new Map<string, string>();
  return { get: (n) => m.get(n), set: (n, s) => void m.set(n, s), names: () => [...m.keys()] };
}

/** Install `cap` on a plain GlobalPlatform card through the bridge: the four steps, orders as GP APDUs. */
export function installViaBridge(
  transport: Transport,
  cap: Uint8Array | CapFile,
  choices: InstallChoices = {},
  progress?: WebProgress,
  options: ViaBridgeOptions = {},
): Promise<WebInstallResult> {
  return inTransaction(transport, "install", () => loadThroughBridge(transport, cap, choices, progress, options));
}

async function loadThroughBridge(
  transport: Transport,
  cap: Uint8Array | CapFile,
  choices: InstallChoices,
  progress: WebProgress | undefined,
  options: ViaBridgeOptions,
): Promise<WebInstallResult> {
  const file = cap instanceof Uint8Array ? parseLoadFile(cap) : cap;
  const session = options.session ?? (await openGpSession(transport, options.connect ?? { keys: defaultKeys("AES"), level: "mac" }));
  const scripts = options.scripts ?? memoryScripts();
  const { app } = createCardWebApp({ scripts: () => scripts });
  const trace = options.trace;
  let deliver!: (p: LoaderParameters) => void;
  const parameters = new Promise<LoaderParameters>((resolve) => (deliver = resolve));
  let sessionNo = 0;
  const env: WebEnv = {
    security: { authenticated: true, level: LEVEL_BYTE[session.level], protocol: session.scp ? `SCP${session.scp}` : undefined },
    port: gpLoaderPort(session, file.imports, file.formatVersion, options.signing, file.extended),
    // Step 2: on the bridge the loader's session to OL is an in-process call, traced like a link session.
    deliver: async (p) => {
      const n = ++sessionNo;
      trace?.(`bridge: session ${n} opened by the loader: loader -> OL`);
      trace?.(`bridge: session ${n} <= POST /webcard/loader-parameters HTTP/1.1`);
      deliver(p);
      trace?.(`bridge: session ${n} => HTTP/1.1 204 No Content`);
    },
  };
  const fetch = async (request: Request): Promise<Response> => {
    const n = ++sessionNo;
    if (trace) {
      trace(`bridge: session ${n} opened by the terminal: OL -> web server on the terminal`);
      trace(`bridge: session ${n} => ${startLine(await serializeRequest(request.clone()))}`);
    }
    const response = await app.fetch(request, env);
    if (trace) trace(`bridge: session ${n} <= ${startLine(await serializeResponse(response.clone()))}`);
    return response;
  };
  return runLoadingProgram({ fetch, parameters, origin: "http://bridge" }, file, choices, progress, { nonce: options.nonce, trace, onLoad: options.onLoad, replace: options.replace });
}
