/** `webcard install --via web`: OL over the link to the card's own web server. */
import { parseLoadFile, type CapFile } from "../../stack/cap/load-file.ts";
import { WebcardError } from "../../stack/errors.ts";
import { defaultKeys } from "../../stack/gp/keys.ts";
import type { KeyCheckValues } from "../../stack/gp/keys.ts";
import type { SecureChannelOptions } from "../../stack/gp/secure-channel.ts";
import type { SecurityLevel } from "../../stack/gp/security-level.ts";
import { TERMINAL_AGENT } from "../../stack/link/constants.ts";
import type { LoaderParameters } from "../../stack/web/port.ts";
import { inTransaction, type Transport } from "../../stack/transport/transport.ts";
import type { InstallChoices } from "../gp/install.ts";
import { CardWeb } from "../link/card-web.ts";
import { LIVE_MEDIA_TYPE } from "../../stack/web/live-run.ts";
import { runLoadingProgram, type LoadingProgramOptions, type WebInstallResult, type WebProgress } from "./loading-program.ts";

export interface ViaWebOptions {
  /** Secure channel to open on the link (default: the test key, SCP from the card, C-MAC). */
  secure?: SecureChannelOptions | false;
  short?: boolean;
  trace?: (line: string) => void;
  /** Send this nonce instead of the one received (refusal tests). */
  nonce?: string;
  /** The LOAD's progress as the card's loader reports it while it runs (one poll a step). */
  onLoad?: LoadingProgramOptions["onLoad"];
  /** Replace a copy of the package already on the card (the script deletes it first). */
  replace?: boolean;
}

const LINK_FAULT_HINT = "the card's link application is at fault: install with --via bridge or --via gp";

/** What installViaWeb did, with the link's round-trip count. */
export interface ViaWebResult extends WebInstallResult {
  /** EXCHANGE commands sent after authentication. */
  exchanges: number;
  /** The secure channel the link ran in (key check values only), when one was opened. */
  channel: { scp: 2 | 3; level: SecurityLevel; kcvs: KeyCheckValues } | undefined;
}

/** Install `cap` (CAP or IJC bytes, or a parsed CapFile) through the card's web server: the four steps of DESIGN.md. */
export function installViaWeb(
  transport: Transport,
  cap: Uint8Array | CapFile,
  choices: InstallChoices = {},
  progress?: WebProgress,
  options: ViaWebOptions = {},
): Promise<ViaWebResult> {
  // The link's SELECT, its secure channel and every EXCHANGE in one transaction.
  return inTransaction(transport, "install", () => loadThroughCard(transport, cap, choices, progress, options));
}

async function loadThroughCard(
  transport: Transport,
  cap: Uint8Array | CapFile,
  choices: InstallChoices,
  progress: WebProgress | undefined,
  options: ViaWebOptions,
): Promise<ViaWebResult> {
  const file = cap instanceof Uint8Array ? parseLoadFile(cap) : cap;
  let delivered = false;
  let deliver!: (p: LoaderParameters) => void;
  let refuse!: (e: Error) => void;
  const parameters = new Promise<LoaderParameters>((resolve, reject) => {
    deliver = (p) => ((delivered = true), resolve(p));
    refuse = reject;
  });
  parameters.catch(() => undefined); // observed by OL after step 1
  const agents = new Map([
    [
      TERMINAL_AGENT.OL,
      async (request: Request) => {
        if (request.method !== "POST" || new URL(request.url).pathname !== "/webcard/loader-parameters") return new Response(null, { status: 404 });
        let p: LoaderParameters;
        try {
          p = (await request.json()) as LoaderParameters;
        } catch (error) {
          const e = new WebcardError("The card's loader delivered parameters that are not JSON", { cause: error, hint: LINK_FAULT_HINT });
          refuse(e);
          throw e;
        }
        deliver(p);
        return new Response(null, { status: 204 });
      },
    ],
  ]);
  const secure = options.secure === false ? undefined : (options.secure ?? { keys: defaultKeys("AES"), level: "mac" as const });
  const web = await CardWeb.open(transport, {
    ...(secure ? { secure } : {}),
    ...(options.short ? { short: true } : {}),
    ...(options.trace ? { trace: options.trace } : {}),
    agents,
  });
  const fetch = async (r: Request) => {
    const inSteps = (r.headers.get("accept") ?? "").includes(LIVE_MEDIA_TYPE);
    const response = await (inSteps ? web.fetchInSteps(r) : web.fetch(r));
    // The link drains everything the card has before fetch returns: a 202 without the session is final.
    if (response.status === 202 && !delivered) refuse(new WebcardError("The card's loader answered 202 but opened no session with its parameters", { hint: LINK_FAULT_HINT }));
    return response;
  };
  const result = await runLoadingProgram({ fetch, parameters, origin: "http://card" }, file, choices, progress, {
    nonce: options.nonce,
    trace: options.trace,
    onLoad: options.onLoad,
    replace: options.replace,
  });
  const channel = web.channel ? { scp: web.channel.scp, level: web.channel.level, kcvs: { ...web.channel.kcvs } } : undefined;
  return { ...result, exchanges: web.client.exchanges, channel };
}
