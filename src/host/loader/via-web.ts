/** `webcard install --via web`: OL over the link to the card's own web server. */
import { parseLoadFile, type CapFile } from "../../stack/cap/load-file.ts";
import { defaultKeys } from "../../stack/gp/keys.ts";
import type { KeyCheckValues } from "../../stack/gp/keys.ts";
import type { ScpLevel, SecureChannelOptions } from "../../stack/gp/secure-channel.ts";
import { TERMINAL_AGENT } from "../../stack/link/constants.ts";
import type { LoaderParameters } from "../../stack/web/port.ts";
import type { Transport } from "../../stack/transport/transport.ts";
import type { InstallChoices } from "../gp/install.ts";
import { CardWeb } from "../link/card-web.ts";
import { runLoadingProgram, type WebInstallResult, type WebProgress } from "./ol.ts";

export interface ViaWebOptions {
  /** Secure channel to open on the link (default: the test key, SCP from the card, C-MAC). */
  secure?: SecureChannelOptions | false;
  short?: boolean;
  trace?: (line: string) => void;
  /** Send this nonce instead of the one received (refusal tests). */
  nonce?: string;
}

/** What installViaWeb did, with the link's round-trip count. */
export interface ViaWebResult extends WebInstallResult {
  /** EXCHANGE commands sent after authentication. */
  exchanges: number;
  /** The secure channel the link ran in (key check values only), when one was opened. */
  channel: { scp: 2 | 3; level: ScpLevel; kcvs: KeyCheckValues } | undefined;
}

/** Install `cap` (CAP or IJC bytes, or a parsed CapFile) through the card's web server: the four steps of DESIGN.md. */
export async function installViaWeb(
  transport: Transport,
  cap: Uint8Array | CapFile,
  choices: InstallChoices = {},
  progress?: WebProgress,
  options: ViaWebOptions = {},
): Promise<ViaWebResult> {
  const file = cap instanceof Uint8Array ? parseLoadFile(cap) : cap;
  let deliver!: (p: LoaderParameters) => void;
  const parameters = new Promise<LoaderParameters>((resolve) => (deliver = resolve));
  const agents = new Map([
    [
      TERMINAL_AGENT.OL,
      async (request: Request) => {
        if (request.method !== "POST" || new URL(request.url).pathname !== "/webcard/loader-parameters") return new Response(null, { status: 404 });
        deliver((await request.json()) as LoaderParameters);
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
  const result = await runLoadingProgram({ fetch: (r) => web.fetch(r), parameters, origin: "http://card" }, file, choices, progress, {
    nonce: options.nonce,
    trace: options.trace,
  });
  const channel = web.channel ? { scp: web.channel.scp, level: web.channel.level, kcvs: { ...web.channel.kcvs } } : undefined;
  return { ...result, exchanges: web.client.exchanges, channel };
}
