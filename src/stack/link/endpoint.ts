/**
 * One end of the link: sessions, sequence numbers, chunking (docs/link-protocol.md
 * sections 5-7). Both the card and the terminal run one. It is a pure state
 * machine: frames in (`receive`) give events; messages queued with `send` come
 * out as frames cut to whatever room the next APDU has (`take`).
 */
import { FRAME_FLAG, FRAME_HEADER, FRAME_KIND, LINK_ERROR, LINK_ERROR_TEXT, PENDING, SESSION_RANGE } from "./constants.ts";
import { errorFrame, openFrame, type Frame } from "./frames.ts";
import { hexNumber } from "../bytes.ts";

export type Role = "card" | "terminal";

/** What a session looks like from outside. */
export interface SessionInfo {
  readonly id: number;
  readonly localAgent: number;
  readonly remoteAgent: number;
  /** True when this end opened it. */
  readonly local: boolean;
}

export type LinkEvent =
  | { type: "open"; session: SessionInfo }
  | { type: "message"; session: SessionInfo; message: Uint8Array; peerClosed: boolean }
  | { type: "closed"; session: SessionInfo }
  /** A DATA payload as it arrives, before its message is complete (only with `EndpointLimits.parts`). */
  | { type: "part"; session: SessionInfo; bytes: Uint8Array }
  | { type: "error"; session: number; code: number; reason: string; expected: number; detectedHere: boolean };

interface Outgoing {
  bytes: Uint8Array;
  offset: number;
  close: boolean;
  /** A piece of a message still being produced: its end is not the message's end (no FIN). */
  more: boolean;
}

interface Session extends SessionInfo {
  openPending: boolean;
  sendSeq: number;
  recvSeq: number;
  inbound: Uint8Array[];
  inboundSize: number;
  outbound: Outgoing[];
  localClosed: boolean;
  remoteClosed: boolean;
}

export interface EndpointLimits {
  /** Largest HTTP message accepted from the peer. */
  maxMessage: number;
  /** Most sessions open at once (both directions). */
  maxSessions: number;
  /** Agent ids the peer may open sessions to; undefined accepts any. */
  agents?: ReadonlySet<number>;
  /** Report each accepted DATA payload as a "part" event (the terminal, to read a response as it arrives). */
  parts?: boolean;
}

const MAX_SEQ = 0xffff;

/** Session and chunk state of one end of the link. */
export class LinkEndpoint {
  readonly role: Role;
  readonly limits: EndpointLimits;
  private readonly sessions = new Map<number, Session>();
  /** Sessions aborted here: their remaining frames are dropped silently until reopened. */
  private readonly dead = new Set<number>();
  private readonly errors: Frame[] = [];
  private nextId: number;

  constructor(role: Role, limits: EndpointLimits) {
    this.role = role;
    this.limits = limits;
    this.nextId = this.range().first;
  }

  private range() {
    return this.role === "card" ? SESSION_RANGE.CARD : SESSION_RANGE.TERMINAL;
  }

  private peerRange() {
    return this.role === "card" ? SESSION_RANGE.TERMINAL : SESSION_RANGE.CARD;
  }

  /** Sessions currently open. */
  openSessions(): SessionInfo[] {
    return [...this.sessions.values()].map(info);
  }

  /** Open a session from `localAgent` to the peer's `remoteAgent`; the OPEN frame leaves with the next `take`. */
  open(localAgent: number, remoteAgent: number): SessionInfo {
    if (this.sessions.size >= this.limits.maxSessions) {
      throw new RangeError(`Cannot open a link session: ${this.sessions.size} already open (limit ${this.limits.maxSessions})`);
    }
    const { first, last } = this.range();
    let id = this.nextId;
    for (let i = 0; this.sessions.has(id); i++) {
      if (i > last - first) throw new RangeError("Cannot open a link session: no free session id");
      id = id === last ? first : id + 1;
    }
    this.nextId = id === last ? first : id + 1;
    const s = newSession(id, localAgent, remoteAgent, true);
    s.openPending = true;
    this.sessions.set(id, s);
    this.dead.delete(id);
    return info(s);
  }

  /**
   * Queue one HTTP message on `session`; `close` says no further message
   * follows from this end. With `more`, `message` is only a piece of the
   * message: its last chunk carries no FIN, and a later `send` continues it.
   */
  send(session: number, message: Uint8Array, close: boolean, more = false): void {
    const s = this.sessions.get(session);
    if (!s) throw new RangeError(`Link session ${hexNumber(session)} is not open`);
    if (s.localClosed || s.outbound.some((o) => o.close)) throw new RangeError(`Link session ${hexNumber(session)} is closed for sending`);
    s.outbound.push({ bytes: message, offset: 0, close: close && !more, more });
  }

  /** Abort `session` here and tell the peer with an ERROR frame. */
  abort(session: number, code: number, reason: string): void {
    const s = this.sessions.get(session);
    this.errors.push(errorFrame(session, code, s?.recvSeq ?? 0, reason));
    this.sessions.delete(session);
    this.dead.add(session);
  }

  /** Drop every session (link reset or re-SELECT). */
  reset(): void {
    this.sessions.clear();
    this.dead.clear();
    this.errors.length = 0;
  }

  /** PENDING bits: what this end still has to send. */
  pending(): number {
    let bits = 0;
    if (this.errors.length) bits |= PENDING.DATA;
    for (const s of this.sessions.values()) {
      if (s.openPending) bits |= PENDING.OPEN;
      if (s.outbound.length) bits |= PENDING.DATA;
    }
    return bits;
  }

  /** Process frames from the peer, in order, and report what happened. */
  receive(frames: readonly Frame[]): LinkEvent[] {
    const events: LinkEvent[] = [];
    for (const f of frames) {
      if (f.kind === FRAME_KIND.ERROR) {
        const s = this.sessions.get(f.session);
        this.sessions.delete(f.session);
        const code = f.payload[0] ?? LINK_ERROR.PROTOCOL;
        const reason = new TextDecoder().decode(f.payload.subarray(1)) || (LINK_ERROR_TEXT[code] ?? "link error");
        if (s || !this.dead.has(f.session)) {
          events.push({ type: "error", session: f.session, code, reason, expected: f.seq, detectedHere: false });
        }
        this.dead.add(f.session);
        continue;
      }
      if (f.kind === FRAME_KIND.OPEN) {
        this.receiveOpen(f, events);
        continue;
      }
      const s = this.sessions.get(f.session);
      if (!s) {
        if (!this.dead.has(f.session)) this.fail(f.session, LINK_ERROR.UNKNOWN_SESSION, 0, events, `no session ${hexNumber(f.session)} is open`);
        continue;
      }
      if (f.seq !== s.recvSeq) {
        const what = f.seq < s.recvSeq ? "repeated" : "ahead (a chunk was lost or reordered)";
        this.fail(s.id, LINK_ERROR.SEQUENCE, s.recvSeq, events, `chunk ${f.seq} on session ${hexNumber(s.id)} is ${what}, expected ${s.recvSeq}`);
        continue;
      }
      if (s.remoteClosed) {
        this.fail(s.id, LINK_ERROR.PROTOCOL, s.recvSeq, events, `data on session ${hexNumber(s.id)} after the peer closed it`);
        continue;
      }
      if (s.inboundSize + f.payload.length > this.limits.maxMessage) {
        this.fail(s.id, LINK_ERROR.TOO_LARGE, s.recvSeq, events, `message on session ${hexNumber(s.id)} exceeds ${this.limits.maxMessage} bytes`);
        continue;
      }
      s.recvSeq = s.recvSeq === MAX_SEQ ? 0 : s.recvSeq + 1;
      s.inbound.push(f.payload);
      s.inboundSize += f.payload.length;
      if (this.limits.parts) events.push({ type: "part", session: info(s), bytes: f.payload });
      if (f.flags & FRAME_FLAG.CLOSE) s.remoteClosed = true;
      if (f.flags & FRAME_FLAG.FIN) {
        const message = joinChunks(s.inbound, s.inboundSize);
        s.inbound = [];
        s.inboundSize = 0;
        events.push({ type: "message", session: info(s), message, peerClosed: s.remoteClosed });
      }
      this.closeIfDone(s, events);
    }
    return events;
  }

  private receiveOpen(f: Frame, events: LinkEvent[]): void {
    const { first, last } = this.peerRange();
    const [from, to] = [f.payload[0], f.payload[1]];
    if (f.payload.length !== 2 || from === undefined || to === undefined) {
      return this.fail(f.session, LINK_ERROR.PROTOCOL, 0, events, "OPEN frame must carry two agent ids");
    }
    if (f.session < first || f.session > last) {
      return this.fail(f.session, LINK_ERROR.PROTOCOL, 0, events, `session id ${hexNumber(f.session)} is outside the peer's range`);
    }
    if (this.sessions.has(f.session)) {
      return this.fail(f.session, LINK_ERROR.SESSION_EXISTS, 0, events, `session ${hexNumber(f.session)} is already open`, false);
    }
    if (this.sessions.size >= this.limits.maxSessions) {
      return this.fail(f.session, LINK_ERROR.TOO_MANY_SESSIONS, 0, events, `${this.sessions.size} sessions already open`);
    }
    if (this.limits.agents && !this.limits.agents.has(to)) {
      return this.fail(f.session, LINK_ERROR.UNKNOWN_AGENT, 0, events, `no agent ${hexNumber(to)} on the ${this.role}`);
    }
    const s = newSession(f.session, to, from, false);
    this.sessions.set(s.id, s);
    this.dead.delete(s.id);
    events.push({ type: "open", session: info(s) });
  }

  private fail(session: number, code: number, expected: number, events: LinkEvent[], reason: string, drop = true): void {
    this.errors.push(errorFrame(session, code, expected, reason));
    if (drop) {
      this.sessions.delete(session);
      this.dead.add(session);
    }
    events.push({ type: "error", session, code, reason, expected, detectedHere: true });
  }

  private closeIfDone(s: Session, events: LinkEvent[]): void {
    if (s.localClosed && s.remoteClosed && s.outbound.length === 0 && this.sessions.get(s.id) === s) {
      this.sessions.delete(s.id);
      events.push({ type: "closed", session: info(s) });
    }
  }

  /**
   * Frames to send now, at most `budget` bytes in all: errors first, then
   * OPEN frames, then data, session by session in opening order, cut so the
   * APDU is filled. Also returns the sessions that closed by sending.
   */
  take(budget: number): { frames: Frame[]; closed: SessionInfo[] } {
    const frames: Frame[] = [];
    const closed: SessionInfo[] = [];
    let room = budget;
    while (this.errors.length && room >= FRAME_HEADER + this.errors[0]!.payload.length) {
      const e = this.errors.shift()!;
      frames.push(e);
      room -= FRAME_HEADER + e.payload.length;
    }
    for (const s of this.sessions.values()) {
      if (!s.openPending) continue;
      if (room < FRAME_HEADER + 2) return { frames, closed };
      frames.push(openFrame(s.id, s.localAgent, s.remoteAgent));
      s.openPending = false;
      room -= FRAME_HEADER + 2;
    }
    for (const s of [...this.sessions.values()]) {
      while (s.outbound.length && room > FRAME_HEADER) {
        const m = s.outbound[0]!;
        // An empty piece of a message still being produced sends nothing.
        if (m.more && m.bytes.length === 0) {
          s.outbound.shift();
          continue;
        }
        const n = Math.min(m.bytes.length - m.offset, room - FRAME_HEADER);
        const end = m.offset + n === m.bytes.length;
        const flags = end && !m.more ? FRAME_FLAG.FIN | (m.close ? FRAME_FLAG.CLOSE : 0) : 0;
        frames.push({ kind: FRAME_KIND.DATA, flags, session: s.id, seq: s.sendSeq, payload: m.bytes.subarray(m.offset, m.offset + n) });
        s.sendSeq = s.sendSeq === MAX_SEQ ? 0 : s.sendSeq + 1;
        room -= FRAME_HEADER + n;
        m.offset += n;
        if (end) {
          s.outbound.shift();
          if (m.close) s.localClosed = true;
        }
      }
      if (s.localClosed && s.remoteClosed && s.outbound.length === 0) {
        this.sessions.delete(s.id);
        closed.push(info(s));
      }
      if (room <= FRAME_HEADER) break;
    }
    return { frames, closed };
  }
}

function newSession(id: number, localAgent: number, remoteAgent: number, local: boolean): Session {
  return {
    id, localAgent, remoteAgent, local,
    openPending: false, sendSeq: 0, recvSeq: 0,
    inbound: [], inboundSize: 0, outbound: [],
    localClosed: false, remoteClosed: false,
  };
}

function info(s: Session): SessionInfo {
  return { id: s.id, localAgent: s.localAgent, remoteAgent: s.remoteAgent, local: s.local };
}

function joinChunks(chunks: Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!.slice();
  const out = new Uint8Array(size);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}
