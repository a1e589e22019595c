/**
 * The terminal's web client of a card: SELECT the link application,
 * optionally authenticate (the secure channel is opened with the link
 * selected, so the card's security domain serves it for the link), then send
 * Requests over the link and get Responses back.
 */
import { toHex } from "../../stack/bytes.ts";
import { WebcardError } from "../../stack/errors.ts";
import { openSecureChannel, type SecureChannel, type SecureChannelOptions } from "../../stack/gp/secure-channel.ts";
import { LinkClient, selectLink, startLine } from "../../stack/link/client.ts";
import { CARD_AGENT, TERMINAL_AGENT } from "../../stack/link/constants.ts";
import { CARD_ORIGIN, parseRequest, parseResponse, serializeRequest, serializeResponse } from "../../stack/link/http.ts";
import { ResponseReader } from "../../stack/link/http-stream.ts";
import type { LinkInfo } from "../../stack/link/link-info.ts";
import type { Transport } from "../../stack/transport/transport.ts";

/** A terminal agent as a web handler: the card is the client. */
export type TerminalAgentHandler = (request: Request) => Promise<Response> | Response;

export interface CardWebOptions {
  /** Authenticate first (SCP02/SCP03 with these keys and level). */
  secure?: SecureChannelOptions;
  /** Force short APDUs. */
  short?: boolean;
  /** Session events and HTTP start lines. */
  trace?: (line: string) => void;
  /** Handlers of terminal agents the card may open sessions to, by agent id (default: the OL agent answers 404). */
  agents?: ReadonlyMap<number, TerminalAgentHandler>;
}

/** A card's web server reached over the link. */
export class CardWeb {
  readonly client: LinkClient;
  readonly info: LinkInfo;
  readonly channel: SecureChannel | undefined;

  private constructor(client: LinkClient, info: LinkInfo, channel: SecureChannel | undefined) {
    this.client = client;
    this.info = info;
    this.channel = channel;
  }

  /** SELECT the link (and authenticate when asked); throws when the card has no link application. */
  static async open(transport: Transport, options: CardWebOptions = {}): Promise<CardWeb> {
    const selected = await selectLink(transport);
    if (!selected) {
      throw new WebcardError("The card has no web-card link application", { hint: "use --via bridge or --via gp for a plain GlobalPlatform card" });
    }
    options.trace?.(`link: selected ${toHex(selected.info.aid)} version ${selected.info.version}, command data up to ${selected.info.maxCommand}, agents ${selected.info.agents.map((a) => `${a.id}=${a.name}`).join(" ")}`);
    const channel = options.secure ? await openSecureChannel(transport, options.secure) : undefined;
    if (channel) options.trace?.(`link: secure channel SCP0${channel.scp} level ${channel.level} open`);
    const agents = [...(options.agents ?? new Map<number, TerminalAgentHandler>([[TERMINAL_AGENT.OL, () => new Response(null, { status: 404 })]]))].map(
      ([id, handler]) => ({
        id,
        name: id === TERMINAL_AGENT.OL ? "ol" : `agent-${id}`,
        serve: async (bytes: Uint8Array) => serializeResponse(await handler(parseRequest(bytes, "http://terminal"))),
      }),
    );
    const client = new LinkClient(channel ?? transport, selected.info, {
      ...(channel ? { level: channel.level } : {}),
      ...(options.short ? { short: true } : {}),
      ...(options.trace ? { trace: options.trace } : {}),
      agents,
    });
    return new CardWeb(client, selected.info, channel);
  }

  /** Send `request` to the card's web server and return its response. */
  async fetch(request: Request): Promise<Response> {
    const bytes = await serializeRequest(request);
    const answer = await this.client.exchange(bytes, CARD_AGENT.HTTP, TERMINAL_AGENT.OL);
    return parseResponse(answer);
  }

  /**
   * Like `fetch`, but a response in steps (chunked, docs/link-protocol.md
   * section 8.1) resolves as soon as its head arrives, and its body is read
   * as the card produces it, while the link goes on polling.
   */
  fetchInSteps(request: Request): Promise<Response> {
    return new Promise<Response>((resolve, reject) => {
      const reader = new ResponseReader();
      let body!: ReadableStreamDefaultController<Uint8Array>;
      const stream = new ReadableStream<Uint8Array>({ start: (c) => void (body = c) });
      let early = false;
      let failed: unknown;
      const fail = (error: unknown) => {
        failed ??= error;
        if (early) body.error(error);
        else reject(error);
      };
      const onPart = (part: Uint8Array) => {
        if (failed !== undefined) return;
        try {
          for (const piece of reader.feed(part)) body.enqueue(piece);
        } catch (error) {
          return fail(error);
        }
        if (!early && reader.head) {
          early = true;
          resolve(new Response(stream, { status: reader.head.status, statusText: reader.head.statusText, headers: reader.head.headers }));
        }
      };
      serializeRequest(request)
        .then((bytes) => this.client.exchange(bytes, CARD_AGENT.HTTP, TERMINAL_AGENT.OL, onPart))
        .then((message) => {
          if (failed !== undefined) return;
          if (early) body.close();
          else resolve(parseResponse(message));
        }, fail);
    });
  }
}

/** A Request for `path` on the card ("/loader"), with an optional init. */
export function cardRequest(path: string, init?: RequestInit): Request {
  if (!path.startsWith("/")) path = `/${path}`;
  return new Request(CARD_ORIGIN + path, init);
}

/** One-shot: open the link on `transport` and fetch `request` from the card. */
export async function cardFetch(transport: Transport, request: Request, options: CardWebOptions = {}): Promise<Response> {
  const web = await CardWeb.open(transport, options);
  return web.fetch(request);
}

export { startLine };
