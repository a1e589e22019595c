/**
 * The PC/SC worker: runs the calls that can block (transmit, connect, get
 * status change, ...) on its own thread, so the main thread never freezes.
 * One worker holds one context and at most one card handle (one reader
 * session). It serves requests from a shared-memory channel (channel.ts)
 * and exits on OP.EXIT, or after its current call when the main thread has
 * abandoned it (a call that timed out).
 *
 * A compiled program must name this file as an extra entry point
 * (`bun build --compile src/cli.ts src/ffi/worker.ts`, REFERENCE.md section 8).
 */
import { fromHex, toHex } from "../stack/bytes.ts";
import { channel, OP, RESULT, STATE, WORD, readJson, writeJson, type Channel } from "./channel.ts";
import { PcscError } from "./pcsc-error.ts";
import * as pcsc from "./winscard.ts";

declare const self: Worker;

interface Session {
  context: pcsc.ScardHandle | undefined;
  card: pcsc.ScardHandle | undefined;
  protocol: number;
}

const session: Session = { context: undefined, card: undefined, protocol: 0 };

function context(): pcsc.ScardHandle {
  session.context ??= pcsc.establishContext();
  return session.context;
}

function card(): pcsc.ScardHandle {
  if (session.card === undefined) throw new PcscError("SCardTransmit", 0x80100003); // SCARD_E_INVALID_HANDLE
  return session.card;
}

/** Perform one request; returns the response length written to `out`. */
function perform(op: number, input: Uint8Array, out: Uint8Array): number {
  const args = () => readJson<Record<string, unknown>>(input, input.length);
  switch (op) {
    case OP.TRANSMIT:
      return pcsc.transmit(card(), session.protocol, input, out);
    case OP.ESTABLISH:
      return writeJson(out, { context: context().toString() });
    case OP.RELEASE:
      release();
      return 0;
    case OP.LIST_READERS:
      return writeJson(out, pcsc.listReaders(context()));
    case OP.GET_STATUS_CHANGE: {
      const a = args() as { timeout: number; states: pcsc.ReaderStateIn[] };
      const states = pcsc.getStatusChange(context(), a.timeout, a.states);
      return writeJson(out, states.map((s) => ({ reader: s.reader, eventState: s.eventState, atr: toHex(s.atr) })));
    }
    case OP.CONNECT: {
      const a = args() as { reader: string; share: number; protocols: number };
      if (session.card !== undefined) disconnectQuietly(0);
      const r = pcsc.connect(context(), a.reader, a.share, a.protocols);
      session.card = r.card;
      session.protocol = r.protocol;
      return writeJson(out, { protocol: r.protocol });
    }
    case OP.RECONNECT: {
      const a = args() as { share: number; protocols: number; initialization: number };
      session.protocol = pcsc.reconnect(card(), a.share, a.protocols, a.initialization);
      return writeJson(out, { protocol: session.protocol });
    }
    case OP.DISCONNECT: {
      const a = args() as { disposition: number };
      if (session.card !== undefined) {
        const handle = session.card;
        session.card = undefined;
        pcsc.disconnect(handle, a.disposition);
      }
      return 0;
    }
    case OP.BEGIN_TRANSACTION:
      pcsc.beginTransaction(card());
      return 0;
    case OP.END_TRANSACTION:
      pcsc.endTransaction(card(), (args() as { disposition: number }).disposition);
      return 0;
    case OP.STATUS: {
      const s = pcsc.status(card());
      return writeJson(out, { reader: s.reader, state: s.state, protocol: s.protocol, atr: toHex(s.atr) });
    }
    case OP.GET_ATTRIB: {
      const bytes = pcsc.getAttrib(card(), (args() as { id: number }).id);
      out.set(bytes);
      return bytes.length;
    }
    case OP.CONTROL: {
      const a = args() as { code: number; input: string; outLength: number };
      const reply = new Uint8Array(a.outLength);
      const n = pcsc.control(card(), a.code, fromHex(a.input), reply);
      out.set(reply.subarray(0, n));
      return n;
    }
    default:
      throw new RangeError(`Unknown PC/SC worker operation ${op}`);
  }
}

function disconnectQuietly(disposition: number): void {
  const handle = session.card;
  session.card = undefined;
  if (handle === undefined) return;
  try {
    pcsc.disconnect(handle, disposition);
  } catch {
    // The handle is gone with the card or the service; nothing left to free.
  }
}

function release(): void {
  disconnectQuietly(0);
  const ctx = session.context;
  session.context = undefined;
  if (ctx === undefined) return;
  try {
    pcsc.releaseContext(ctx);
  } catch {
    // A context of a stopped service is already released by it.
  }
}

/** Wait for a request, perform it, publish the response; until exit or abandoned. */
function serve(ch: Channel): void {
  const w = ch.words;
  for (;;) {
    let state = Atomics.load(w, WORD.STATE);
    while (state !== STATE.REQUEST) {
      if (Atomics.load(w, WORD.ABANDONED) !== 0) return;
      Atomics.wait(w, WORD.STATE, state);
      state = Atomics.load(w, WORD.STATE);
    }
    const op = Atomics.load(w, WORD.OP);
    if (op === OP.EXIT) {
      release();
      publish(w, RESULT.OK, 0, 0);
      return;
    }
    const input = ch.input.subarray(0, Atomics.load(w, WORD.IN_LEN));
    try {
      const length = perform(op, input, ch.output);
      publish(w, RESULT.OK, 0, length);
    } catch (error) {
      if (error instanceof PcscError) {
        publish(w, RESULT.PCSC_ERROR, error.code | 0, 0);
      } else {
        const message = error instanceof Error ? error.message : String(error);
        publish(w, RESULT.ERROR, 0, writeJson(ch.output, { message, hint: (error as { hint?: string }).hint }));
      }
    }
    if (Atomics.load(w, WORD.ABANDONED) !== 0) return;
  }
}

function publish(w: Int32Array, result: number, code: number, length: number): void {
  w[WORD.RESULT] = result;
  w[WORD.CODE] = code;
  w[WORD.OUT_LEN] = length;
  Atomics.store(w, WORD.STATE, STATE.RESPONSE);
  Atomics.notify(w, WORD.STATE);
}

self.onmessage = (event: MessageEvent<{ channel: SharedArrayBuffer }>) => {
  serve(channel(event.data.channel));
  release();
  process.exit(0);
};
