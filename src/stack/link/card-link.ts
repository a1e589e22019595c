/**
 * The card end of the link (docs/link-protocol.md section 8): turns one
 * EXCHANGE command into one answer. Requests that complete on sessions the
 * terminal opened go to the card agent they name; responses that complete on
 * sessions the card opened go back to whoever opened them. Pure: it never
 * touches the card's memory itself; the agents it is given do.
 */
import { CommandApdu, ResponseApdu } from "../apdu.ts";
import { FormatError } from "../errors.ts";
import { LINK_ERROR, LINK_INS, LINK_P1, LINK_SW, LINK_VERSION, PENDING } from "./constants.ts";
import { LinkEndpoint, type LinkEvent, type SessionInfo } from "./endpoint.ts";
import { decodeFrames, encodeFrames } from "./frames.ts";
import { encodeLinkInfo, type LinkAgent } from "./link-info.ts";
import { responseRoom } from "../gp/security-level.ts";

/**
 * A response an agent produces in steps (section 8.1): each `next()` runs the
 * agent's work up to its next piece, inside the EXCHANGE that asks for it.
 */
export interface AgentStream {
  next(): Promise<{ bytes: Uint8Array; last: boolean }>;
}

/** A card agent that serves requests (an HTTP server): request bytes in, response bytes (or a stream of them) out. */
export type AgentServer = (request: Uint8Array, session: SessionInfo) => Promise<Uint8Array | AgentStream> | Uint8Array | AgentStream;

/** A response in steps, with the security level of the EXCHANGE that began it. */
interface RunningStream {
  stream: AgentStream;
  level: number;
  close: boolean;
}

export interface CardLinkOptions {
  /** Agents the terminal may open sessions to, with their servers. */
  agents: readonly (LinkAgent & { serve?: AgentServer })[];
  /** Largest command data field taken (255 short, up to 65,535 extended). */
  maxCommand: number;
  /** Largest response data field returned (256 short, up to 65,536). */
  maxResponse: number;
  /** Largest HTTP message buffered (default 128 KiB). */
  maxMessage?: number;
  /** Most sessions at once (default 4). */
  maxSessions?: number;
  /** Observer for traces and tests; never required. */
  onEvent?: (event: LinkEvent) => void;
}

export interface ExchangeOptions {
  /** Security level byte of the secure channel around the link: R-MAC and R-ENC take their part of the answer's room. */
  level?: number;
}

type ResponseWaiter = (response: Uint8Array) => void;

const INTERNAL_ERROR = new TextEncoder().encode(
  "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
);

/** Card side of the web-card link. */
export class CardLink {
  readonly endpoint: LinkEndpoint;
  private readonly options: CardLinkOptions;
  private readonly waiters = new Map<number, ResponseWaiter>();
  private readonly streams = new Map<number, RunningStream>();

  constructor(options: CardLinkOptions) {
    this.options = options;
    this.endpoint = new LinkEndpoint("card", {
      maxMessage: options.maxMessage ?? 128 * 1024,
      maxSessions: options.maxSessions ?? 4,
      agents: new Set(options.agents.filter((a) => a.serve).map((a) => a.id)),
    });
  }

  /** The answer to SELECT: FCI with version, sizes and agents; selecting resets every session. */
  select(): ResponseApdu {
    this.reset();
    const o = this.options;
    return ResponseApdu.of(
      LINK_SW.OK,
      encodeLinkInfo({
        version: LINK_VERSION,
        maxCommand: o.maxCommand,
        maxResponse: o.maxResponse,
        maxMessage: this.endpoint.limits.maxMessage,
        maxSessions: this.endpoint.limits.maxSessions,
        agents: o.agents.map(({ id, name }) => ({ id, name })),
      }),
    );
  }

  /** Drop every session. */
  reset(): void {
    this.endpoint.reset();
    this.waiters.clear();
    // A response in steps is dropped with its session: nothing it had not committed survives.
    this.streams.clear();
  }

  /**
   * Open a session from card agent `fromAgent` to terminal agent `toAgent`
   * carrying `request` (the card as web client, step 2 of a load). The
   * request leaves with the next answer; `onResponse` gets the response.
   */
  openSession(fromAgent: number, toAgent: number, request: Uint8Array, onResponse?: ResponseWaiter): SessionInfo {
    const s = this.endpoint.open(fromAgent, toAgent);
    this.endpoint.send(s.id, request, true);
    if (onResponse) this.waiters.set(s.id, onResponse);
    return s;
  }

  /** Abort `session` here (an ERROR frame goes to the terminal) and forget whoever waited for its response. */
  abortSession(session: number, code: number, reason: string): void {
    this.endpoint.abort(session, code, reason);
    this.waiters.delete(session);
    this.streams.delete(session);
  }

  /** Process one EXCHANGE command; status words are data, never exceptions. */
  async process(command: CommandApdu, options: ExchangeOptions = {}): Promise<ResponseApdu> {
    // Section 4.1: a proprietary class (80, or 84 before the secure channel unwrapped it).
    if ((command.cla & 0x80) === 0) return ResponseApdu.of(LINK_SW.CLA_NOT_SUPPORTED);
    if (command.ins !== LINK_INS.EXCHANGE) return ResponseApdu.of(LINK_SW.INS_NOT_SUPPORTED);
    if (command.p2 !== 0) return ResponseApdu.of(LINK_SW.WRONG_P1P2);
    if (command.p1 === LINK_P1.RESET) {
      this.reset();
      return ResponseApdu.of(LINK_SW.OK);
    }
    if (command.p1 !== LINK_P1.FRAMES) return ResponseApdu.of(LINK_SW.WRONG_P1P2);
    if (command.data.length > this.options.maxCommand) return ResponseApdu.of(LINK_SW.WRONG_LENGTH);
    let frames;
    try {
      frames = decodeFrames(command.data);
    } catch (e) {
      // A data field that does not parse changes nothing (all or nothing).
      if (e instanceof FormatError) return ResponseApdu.of(LINK_SW.MALFORMED);
      throw e;
    }
    const level = options.level ?? 0;
    const events = this.endpoint.receive(frames);
    for (const event of events) {
      this.options.onEvent?.(event);
      if (event.type === "message") await this.deliver(event.session, event.message, event.peerClosed, level);
      if (event.type === "error") {
        this.waiters.delete(event.session);
        this.streams.delete(event.session);
      }
    }
    await this.advance(level);
    const room = responseRoom(Math.min(command.ne ?? 0, this.options.maxResponse), level);
    const { frames: out, closed } = this.endpoint.take(room);
    for (const s of closed) this.options.onEvent?.({ type: "closed", session: s });
    const pending = this.endpoint.pending() | (this.streams.size ? PENDING.WORKING : 0);
    return ResponseApdu.of(pending ? (LINK_SW.PENDING_SW1 << 8) | pending : LINK_SW.OK, encodeFrames(out));
  }

  /**
   * Section 8.1: one step of every response in steps, inside this EXCHANGE
   * (so on the card inside its APDU's transaction). A step runs only under
   * the secure channel level its request came with: an EXCHANGE with less
   * (the channel closed, or a plain command) aborts the response instead.
   */
  private async advance(level: number): Promise<void> {
    for (const [id, running] of [...this.streams]) {
      if ((level & running.level) !== running.level) {
        this.abortSession(id, LINK_ERROR.ABORTED, "the response was begun under a secure channel this command lacks");
        continue;
      }
      let piece: { bytes: Uint8Array; last: boolean };
      try {
        piece = await running.stream.next();
      } catch {
        // The agent failed mid-response: the head is sent, so only aborting the session says so.
        this.abortSession(id, LINK_ERROR.ABORTED, "the card agent failed while producing its response");
        continue;
      }
      if (!this.endpoint.openSessions().some((s) => s.id === id)) {
        this.streams.delete(id);
        continue;
      }
      if (piece.last) this.streams.delete(id);
      if (piece.bytes.length > 0 || piece.last) this.endpoint.send(id, piece.bytes, running.close, !piece.last);
    }
  }

  /** Hand a complete message to its agent (a response in steps is kept, to advance) or to its waiter. */
  private async deliver(session: SessionInfo, message: Uint8Array, peerClosed: boolean, level: number): Promise<void> {
    if (session.local) {
      const waiter = this.waiters.get(session.id);
      this.waiters.delete(session.id);
      waiter?.(message);
      return;
    }
    const agent = this.options.agents.find((a) => a.id === session.localAgent);
    if (!agent?.serve) {
      this.endpoint.abort(session.id, LINK_ERROR.UNKNOWN_AGENT, `no agent ${session.localAgent} serves requests`);
      return;
    }
    let response: Uint8Array | AgentStream;
    try {
      response = await agent.serve(message, session);
    } catch {
      response = INTERNAL_ERROR;
    }
    // A later frame of the same command may have aborted the session (ERROR already queued): drop the answer.
    if (!this.endpoint.openSessions().some((s) => s.id === session.id)) return;
    if (response instanceof Uint8Array) this.endpoint.send(session.id, response, peerClosed);
    else this.streams.set(session.id, { stream: response, level, close: peerClosed });
  }
}
