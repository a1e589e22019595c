/**
 * The web-card link application (docs/link-protocol.md): a CardApplication
 * whose agents are the card's web server (agent 01) and the loader's client
 * (agent 02, which opens the session of step 2). Requests arrive as bytes
 * over the link, become Requests for the Hono app, and go back as bytes.
 */
import type { CommandApdu, ResponseApdu } from "../../stack/apdu.ts";
import { FormatError } from "../../stack/errors.ts";
import { CardLink, type AgentStream } from "../../stack/link/card-link.ts";
import { CARD_AGENT, LINK_AID, LINK_ERROR } from "../../stack/link/constants.ts";
import type { SessionInfo } from "../../stack/link/endpoint.ts";
import { CARD_ORIGIN, HTTP_LIMITS, HttpFormatError, parseRequest, reasonPhrase, serializeRequest, serializeResponse } from "../../stack/link/http.ts";
import { chunkedAgentStream } from "../../stack/link/http-stream.ts";
import { LIVE_MEDIA_TYPE } from "../../stack/web/live-run.ts";
import type { LoaderParameters, WebEnv } from "../../stack/web/port.ts";
import { createCardWebApp } from "../../stack/web/server.ts";
import type { AppContext, CardApplication } from "../application.ts";
import { cardLoaderPort } from "../web/card-port.ts";
import { cardScriptStore } from "../web/script-store.ts";

export interface LinkAppOptions {
  /** Take extended-length APDUs (default true). */
  extended?: boolean;
  /** Where the parameters of step 2 are posted on the terminal agent. */
  parametersPath?: string;
  /**
   * Largest command data and response data the card announces, when the path
   * to it carries less than extended-length APDUs allow (vpcd frames hold
   * 65,535 bytes in all, so 65,526 bytes of command data and 65,533 of response).
   */
  maxCommand?: number;
  maxResponse?: number;
}

/** Path the loader posts its parameters to on the terminal agent (step 2). */
export const PARAMETERS_PATH = "/webcard/loader-parameters";

/**
 * Sessions the loader may keep open to the terminal, waiting for its answer
 * to the loading parameters (step 2). A newer GET /loader aborts the oldest
 * beyond this, so a terminal that never answers cannot use up the sessions.
 */
export const MAX_PENDING_DELIVERIES = 2;

/** Fixed answers to requests that do not parse, by status: no part of the request is echoed. */
const REFUSAL_TEXT: Readonly<Record<number, string>> = {
  400: "The request is not valid HTTP/1.1.",
  431: `The request's header section is too large: at most ${HTTP_LIMITS.headerBytes} bytes and ${HTTP_LIMITS.headerFields} fields.`,
  501: "The request uses a transfer coding the card does not implement (only chunked).",
};

function refusal(status: number): Uint8Array {
  const text = REFUSAL_TEXT[status] ?? REFUSAL_TEXT[400]!;
  return new TextEncoder().encode(`HTTP/1.1 ${status} ${reasonPhrase(status)}\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\n\r\n${text}`);
}

/** A CardApplication carrying the link, the web server, CGI and script agent. */
export function createLinkApplication(options: LinkAppOptions = {}): CardApplication & { readonly link: CardLink } {
  const extended = options.extended ?? true;
  const { app, nonces } = createCardWebApp({ scripts: (env) => (env as WebEnv & { ctx: AppContext }).ctx && cardScriptStore((env as WebEnv & { ctx: AppContext }).ctx.store) });
  let current: AppContext | undefined;

  const serveHttp = async (bytes: Uint8Array, session: SessionInfo): Promise<Uint8Array | AgentStream> => {
    const ctx = current!;
    let request: Request;
    try {
      request = parseRequest(bytes);
    } catch (e) {
      if (e instanceof HttpFormatError) return refusal(e.status);
      if (e instanceof FormatError) return refusal(400);
      throw e;
    }
    const env: WebEnv & { ctx: AppContext } = {
      ctx,
      security: {
        authenticated: ctx.secure.isAuthenticated && ctx.secure.commandSecured,
        level: ctx.secure.isAuthenticated ? ctx.secure.level : 0,
        protocol: ctx.secure.protocol,
      },
      port: cardLoaderPort(ctx),
      deliver: async (parameters: LoaderParameters) => {
        makeRoom();
        const post = new Request(`http://terminal${options.parametersPath ?? PARAMETERS_PATH}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(parameters),
        });
        link.openSession(CARD_AGENT.LOADER, session.remoteAgent, await serializeRequest(post), () => undefined);
        ctx.log(`link: session to terminal agent ${session.remoteAgent} opened with the loading parameters`);
      },
    };
    const response = await app.fetch(request, env);
    // A run in steps goes out piece by piece, one step per EXCHANGE (docs/link-protocol.md section 8.1).
    if (response.headers.get("content-type") === LIVE_MEDIA_TYPE && response.body) return chunkedAgentStream(response);
    return serializeResponse(response);
  };

  /** Abort the oldest unanswered deliveries so one more fits (within MAX_PENDING_DELIVERIES and the session limit). */
  const makeRoom = () => {
    const waiting = link.endpoint.openSessions().filter((s) => s.local && s.localAgent === CARD_AGENT.LOADER);
    while (waiting.length > 0 && (waiting.length >= MAX_PENDING_DELIVERIES || link.endpoint.openSessions().length >= link.endpoint.limits.maxSessions)) {
      const oldest = waiting.shift()!;
      link.abortSession(oldest.id, LINK_ERROR.ABORTED, "loading parameters superseded by a newer GET /loader");
    }
  };

  const link = new CardLink({
    maxCommand: extended ? Math.min(options.maxCommand ?? 65_535, 65_535) : 255,
    maxResponse: extended ? Math.min(options.maxResponse ?? 65_536, 65_536) : 256,
    agents: [
      { id: CARD_AGENT.HTTP, name: "http", serve: serveHttp },
      { id: CARD_AGENT.LOADER, name: "loader" },
    ],
  });

  return {
    aid: LINK_AID,
    link,
    select() {
      nonces.clear();
      return link.select().data;
    },
    async process(command: CommandApdu, ctx: AppContext): Promise<ResponseApdu> {
      current = ctx;
      try {
        return await link.process(command, { level: ctx.secure.isAuthenticated ? ctx.secure.level : 0 });
      } finally {
        current = undefined;
      }
    },
    deselect() {
      link.reset();
      nonces.clear();
    },
  };
}

export { CARD_ORIGIN };
