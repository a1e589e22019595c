/**
 * Drives a TerminalLink over a Transport: SELECT the link application, then
 * send EXCHANGE commands while anything is queued, awaited or signalled by
 * the card (SW 91xx). The card cannot speak first, so this loop is where the
 * terminal "polls" (docs/link-protocol.md section 9.2).
 */
import { CommandApdu, ResponseApdu } from "../apdu.ts";
import { TransportError, WebcardError } from "../errors.ts";
import { send, type Transport } from "../transport/transport.ts";
import { CARD_AGENT, LINK_AID, TERMINAL_AGENT } from "./constants.ts";
import type { LinkEvent } from "./endpoint.ts";
import { decodeLinkInfo, type LinkInfo } from "./link-info.ts";
import { TerminalLink, type TerminalLinkOptions } from "./terminal-link.ts";
import type { SecurityLevel } from "../gp/security-level.ts";
import { hexNumber } from "../bytes.ts";

/** SELECT by name of the link application. */
function selectLinkCommand(aid: Uint8Array = LINK_AID): CommandApdu {
  return new CommandApdu({ cla: 0x00, ins: 0xa4, p1: 0x04, p2: 0x00, data: aid, ne: 256 });
}

/** SELECT the link application; undefined when the card has none (6A82 or any non-9000). */
export async function selectLink(transport: Transport): Promise<{ info: LinkInfo; answer: ResponseApdu } | undefined> {
  const answer = await send(transport, selectLinkCommand());
  if (!answer.ok) return undefined;
  return { info: decodeLinkInfo(answer.data), answer };
}

export interface LinkClientOptions {
  level?: SecurityLevel;
  agents?: TerminalLinkOptions["agents"];
  /** Most exchanges in a row that bring nothing before giving up (default 64). */
  maxIdlePolls?: number;
  /** One line per session event and HTTP start line (for --trace). */
  trace?: (line: string) => void;
  /** Force short APDUs even when the transport and card take extended ones. */
  short?: boolean;
}

/** A terminal's link to one card. */
export class LinkClient {
  readonly transport: Transport;
  readonly link: TerminalLink;
  /** EXCHANGE commands sent so far. */
  exchanges = 0;
  private readonly maxIdle: number;
  private pumping: Promise<void> | undefined;

  constructor(transport: Transport, info: LinkInfo, options: LinkClientOptions = {}) {
    this.transport = transport;
    this.maxIdle = options.maxIdlePolls ?? 64;
    const trace = options.trace;
    this.link = new TerminalLink({
      info,
      extended: transport.extendedLength === true && options.short !== true,
      ...(options.level ? { level: options.level } : {}),
      ...(options.agents ? { agents: options.agents } : {}),
      ...(trace ? { onEvent: (e: LinkEvent, d: "in" | "out") => trace(describeEvent(e, d)) } : {}),
    });
  }

  /** SELECT the link on `transport` and make a client; throws when the card has no link application. */
  static async connect(transport: Transport, options: LinkClientOptions = {}): Promise<LinkClient> {
    const selected = await selectLink(transport);
    if (!selected) {
      throw new WebcardError("The card has no web-card link application", { hint: "use --via bridge or --via gp" });
    }
    return new LinkClient(transport, selected.info, options);
  }

  /**
   * Send one HTTP message to card agent `toAgent` and return the card's
   * response message; `onPart` reads the response as it arrives.
   */
  async exchange(request: Uint8Array, toAgent: number = CARD_AGENT.HTTP, fromAgent: number = TERMINAL_AGENT.OL, onPart?: (bytes: Uint8Array) => void): Promise<Uint8Array> {
    const { response } = this.link.request(fromAgent, toAgent, request, onPart);
    response.catch(() => undefined); // observed below through pump()
    await this.pump();
    return response;
  }

  /**
   * Exchange commands until no response is awaited and the card has nothing
   * waiting. Answers of terminal agents to card-opened sessions that are
   * still queued then ride on the next command (piggybacking); `flush` sends
   * them now.
   */
  async pump(): Promise<void> {
    while (this.pumping) await this.pumping;
    this.pumping = this.loop(false).finally(() => {
      this.pumping = undefined;
    });
    return this.pumping;
  }

  /** Exchange commands until nothing at all is queued on either side. */
  async flush(): Promise<void> {
    while (this.pumping) await this.pumping;
    this.pumping = this.loop(true).finally(() => {
      this.pumping = undefined;
    });
    return this.pumping;
  }

  /** One exchange even when idle: asks the card whether it has something (a poll). */
  async poll(): Promise<void> {
    await this.step();
    await this.pump();
  }

  private async loop(outbound: boolean): Promise<void> {
    let idle = 0;
    while (this.link.busy(outbound)) {
      const sent = this.link.hasOutbound();
      // An exchange that carried frames either way is progress; a card that only says it has
      // something (91xx) and sends nothing counts as idle, so it cannot keep the terminal polling forever.
      const received = await this.step();
      idle = sent || received ? 0 : idle + 1;
      if (idle > this.maxIdle) {
        const error = new TransportError("timeout", `The card's link sent nothing for ${this.maxIdle} polls while a response was awaited`);
        this.link.fail(error);
        throw error;
      }
    }
  }

  /** One EXCHANGE; true when the card's answer carried frames. */
  private async step(): Promise<boolean> {
    const command = this.link.command();
    this.exchanges++;
    let answer: ResponseApdu;
    try {
      answer = await send(this.transport, command);
    } catch (e) {
      this.link.fail(e instanceof Error ? e : new Error(String(e)));
      throw e;
    }
    await this.link.response(answer);
    return answer.data.length > 0;
  }
}

/** One trace line for a link event: session opens, HTTP start lines, errors. */
export function describeEvent(e: LinkEvent, direction: "in" | "out"): string {
  switch (e.type) {
    case "open":
      return e.session.local
        ? `link: session ${hexNumber(e.session.id)} opened by the terminal: agent ${hexNumber(e.session.localAgent)} -> card agent ${hexNumber(e.session.remoteAgent)}`
        : `link: session ${hexNumber(e.session.id)} opened by the card: card agent ${hexNumber(e.session.remoteAgent)} -> terminal agent ${hexNumber(e.session.localAgent)}`;
    case "message":
      return `link: session ${hexNumber(e.session.id)} ${direction === "in" ? "<=" : "=>"} ${startLine(e.message)} (${e.message.length} bytes)`;
    case "closed":
      return `link: session ${hexNumber(e.session.id)} closed`;
    case "part":
      return `link: session ${hexNumber(e.session.id)} ${direction === "in" ? "<=" : "=>"} ${e.bytes.length} bytes of a response in steps`;
    case "error":
      return `link: session ${hexNumber(e.session)} error ${hexNumber(e.code)} (${e.detectedHere ? "terminal" : "card"}): ${e.reason}`;
  }
}

/** The first line of an HTTP message, for traces. */
export function startLine(message: Uint8Array): string {
  const end = message.indexOf(0x0d);
  return new TextDecoder().decode(message.subarray(0, end < 0 ? Math.min(80, message.length) : Math.min(end, 200)));
}

