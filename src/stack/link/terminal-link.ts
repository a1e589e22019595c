/**
 * The terminal end of the link (docs/link-protocol.md section 9): builds the
 * next EXCHANGE command from what is queued, and takes the card's answer
 * apart. Requests that complete on sessions the card opened go to the
 * terminal agent they name. Pure: the loop that sends commands is client.ts.
 */
import { CommandApdu, MAX_EXTENDED_NC, MAX_EXTENDED_NE, MAX_SHORT_NC, MAX_SHORT_NE, type ResponseApdu } from "../apdu.ts";
import { SwError } from "../errors.ts";
import { LINK_CLA, LINK_ERROR, LINK_INS, LINK_P1, LINK_SW } from "./constants.ts";
import { LinkEndpoint, type LinkEvent, type SessionInfo } from "./endpoint.ts";
import { decodeFrames, encodeFrames } from "./frames.ts";
import { LinkError } from "./link-error.ts";
import type { LinkInfo } from "./link-info.ts";
import { commandRoom, type SecurityLevel } from "../gp/security-level.ts";

export interface TerminalLinkOptions {
  /** The card's SELECT answer. */
  info: LinkInfo;
  /** Whether the path to the card carries extended-length APDUs. */
  extended: boolean;
  /** Secure messaging applied below the link (it eats room in each command). */
  level?: SecurityLevel;
  /** Terminal agents the card may open sessions to. */
  agents?: readonly { id: number; name: string; serve: (request: Uint8Array, session: SessionInfo) => Promise<Uint8Array> | Uint8Array }[];
  /** Largest message accepted from the card (default 16 MiB). */
  maxMessage?: number;
  onEvent?: (event: LinkEvent, direction: "in" | "out") => void;
}

interface Waiter {
  resolve(message: Uint8Array): void;
  reject(error: Error): void;
}

/** Terminal side of the web-card link. */
export class TerminalLink {
  readonly endpoint: LinkEndpoint;
  readonly info: LinkInfo;
  /** Room for frames in one command and one answer. */
  readonly commandRoom: number;
  readonly ne: number;
  private readonly options: TerminalLinkOptions;
  private readonly waiters = new Map<number, Waiter>();
  /** Who reads a response as it arrives, by session. */
  private readonly readers = new Map<number, (bytes: Uint8Array) => void>();
  /** PENDING bits of the card's last SW. */
  cardPending = 0;

  constructor(options: TerminalLinkOptions) {
    this.options = options;
    this.info = options.info;
    const maxNc = Math.min(options.info.maxCommand, options.extended ? MAX_EXTENDED_NC : MAX_SHORT_NC);
    this.commandRoom = commandRoom(maxNc, options.level ?? "clear");
    this.ne = Math.min(options.info.maxResponse, options.extended ? MAX_EXTENDED_NE : MAX_SHORT_NE);
    this.endpoint = new LinkEndpoint("terminal", {
      maxMessage: options.maxMessage ?? 16 * 1024 * 1024,
      maxSessions: Math.max(1, options.info.maxSessions),
      agents: new Set((options.agents ?? []).map((a) => a.id)),
      parts: true,
    });
  }

  /**
   * Open a session to card agent `toAgent` with `request`; resolves with the
   * card's response message. `onPart` gets the response's bytes as they
   * arrive (a response in steps, section 8.1), before the whole message.
   */
  request(fromAgent: number, toAgent: number, request: Uint8Array, onPart?: (bytes: Uint8Array) => void): { session: SessionInfo; response: Promise<Uint8Array> } {
    const session = this.endpoint.open(fromAgent, toAgent);
    if (onPart) this.readers.set(session.id, onPart);
    this.endpoint.send(session.id, request, true);
    this.options.onEvent?.({ type: "open", session }, "out");
    this.options.onEvent?.({ type: "message", session, message: request, peerClosed: false }, "out");
    const response = new Promise<Uint8Array>((resolve, reject) => this.waiters.set(session.id, { resolve, reject }));
    return { session, response };
  }

  /** True while a response is outstanding or the card has frames waiting (and, with `outbound`, while this end has some). */
  busy(outbound = true): boolean {
    return (outbound && this.endpoint.pending() !== 0) || this.cardPending !== 0 || this.waiters.size > 0;
  }

  /** True when a command would carry frames (not only poll). */
  hasOutbound(): boolean {
    return this.endpoint.pending() !== 0;
  }

  /** The next EXCHANGE command: as many queued frames as fit; no frames makes it a poll. */
  command(): CommandApdu {
    const { frames } = this.endpoint.take(this.commandRoom);
    const data = encodeFrames(frames);
    return new CommandApdu({
      cla: LINK_CLA.PLAIN,
      ins: LINK_INS.EXCHANGE,
      p1: LINK_P1.FRAMES,
      p2: 0,
      data,
      ne: this.ne,
      extended: this.ne > MAX_SHORT_NE || data.length > MAX_SHORT_NC,
    });
  }

  /** Take the card's answer apart; serves card-opened requests before returning. */
  async response(answer: ResponseApdu): Promise<void> {
    const sw1 = answer.sw >> 8;
    if (answer.sw !== LINK_SW.OK && sw1 !== LINK_SW.PENDING_SW1) {
      const error = new SwError("Link EXCHANGE", answer.sw);
      this.fail(error);
      throw error;
    }
    this.cardPending = sw1 === LINK_SW.PENDING_SW1 ? answer.sw & 0xff : 0;
    const events = this.endpoint.receive(decodeFrames(answer.data));
    for (const event of events) {
      if (event.type === "part") {
        this.readers.get(event.session.id)?.(event.bytes);
        continue;
      }
      this.options.onEvent?.(event, "in");
      if (event.type === "message") await this.deliver(event.session, event.message, event.peerClosed);
      if (event.type === "error") {
        const waiter = this.waiters.get(event.session);
        this.waiters.delete(event.session);
        this.readers.delete(event.session);
        waiter?.reject(new LinkError(event.code, event.session, event.detectedHere ? "terminal" : "card", event.reason));
      }
    }
  }

  /** Reject every outstanding response (the card or the path failed). */
  fail(error: Error): void {
    for (const w of this.waiters.values()) w.reject(error);
    this.waiters.clear();
    this.readers.clear();
    this.endpoint.reset();
    this.cardPending = 0;
  }

  private async deliver(session: SessionInfo, message: Uint8Array, peerClosed: boolean): Promise<void> {
    if (session.local) {
      const waiter = this.waiters.get(session.id);
      this.waiters.delete(session.id);
      this.readers.delete(session.id);
      waiter?.resolve(message);
      return;
    }
    const agent = this.options.agents?.find((a) => a.id === session.localAgent);
    if (!agent) {
      this.endpoint.abort(session.id, LINK_ERROR.UNKNOWN_AGENT, `no terminal agent ${session.localAgent}`);
      return;
    }
    let response: Uint8Array;
    try {
      response = await agent.serve(message, session);
    } catch (e) {
      // Section 7, ABORTED: this end gives the session up; the card learns it with the next command.
      const reason = `terminal agent ${session.localAgent} failed: ${e instanceof Error ? e.message : String(e)}`;
      this.endpoint.abort(session.id, LINK_ERROR.ABORTED, reason.slice(0, 120));
      this.options.onEvent?.({ type: "error", session: session.id, code: LINK_ERROR.ABORTED, reason, expected: 0, detectedHere: true }, "out");
      return;
    }
    this.options.onEvent?.({ type: "message", session, message: response, peerClosed }, "out");
    this.endpoint.send(session.id, response, peerClosed);
  }
}
