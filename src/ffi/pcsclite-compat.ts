/**
 * A node-pcsclite-compatible face over the binding (`webcard/pcsclite`), so
 * code written for node-pcsclite (whose native addon does not load under Bun)
 * runs unchanged: `const pcsc = require("webcard/pcsclite")()`, the `reader`
 * and `error` events, and per reader the `status`, `end` and `error` events,
 * `connect`, `disconnect`, `transmit`, `control`, `close`, with the same
 * arguments, defaults, callbacks (`this` is the reader) and constants.
 *
 * Differences: every call runs in a worker with a time limit (30 s), so a mute
 * card fails the callback instead of hanging; `status.state` has pcsc-lite's
 * event counter (upper 16 bits) masked off.
 */
import { EventEmitter } from "node:events";
import { ABI, SCARD } from "./abi.ts";
import { CODE, PcscError } from "./pcsc-error.ts";
import { PcscThread } from "./pcsc-thread.ts";
import { cancel } from "./winscard.ts";

const CALL_LIMIT_MS = 30_000;
const RETRY_MS = 1_000;
const WAIT_MS = 1_000;

type Callback<T = void> = (this: CardReader, err: Error | null, value?: T) => void;

/** node-pcsclite's constants, on every reader. */
const CONSTANTS = {
  SCARD_SHARE_SHARED: SCARD.SHARE_SHARED,
  SCARD_SHARE_EXCLUSIVE: SCARD.SHARE_EXCLUSIVE,
  SCARD_SHARE_DIRECT: SCARD.SHARE_DIRECT,
  SCARD_PROTOCOL_T0: SCARD.PROTOCOL_T0,
  SCARD_PROTOCOL_T1: SCARD.PROTOCOL_T1,
  SCARD_PROTOCOL_RAW: ABI.protocolRaw,
  SCARD_STATE_UNAWARE: SCARD.STATE_UNAWARE,
  SCARD_STATE_IGNORE: SCARD.STATE_IGNORE,
  SCARD_STATE_CHANGED: SCARD.STATE_CHANGED,
  SCARD_STATE_UNKNOWN: SCARD.STATE_UNKNOWN,
  SCARD_STATE_UNAVAILABLE: SCARD.STATE_UNAVAILABLE,
  SCARD_STATE_EMPTY: SCARD.STATE_EMPTY,
  SCARD_STATE_PRESENT: SCARD.STATE_PRESENT,
  SCARD_STATE_ATRMATCH: SCARD.STATE_ATRMATCH,
  SCARD_STATE_EXCLUSIVE: SCARD.STATE_EXCLUSIVE,
  SCARD_STATE_INUSE: SCARD.STATE_INUSE,
  SCARD_STATE_MUTE: SCARD.STATE_MUTE,
  SCARD_LEAVE_CARD: SCARD.LEAVE_CARD,
  SCARD_RESET_CARD: SCARD.RESET_CARD,
  SCARD_UNPOWER_CARD: SCARD.UNPOWER_CARD,
  SCARD_EJECT_CARD: SCARD.EJECT_CARD,
} as const;

/** A reader, as node-pcsclite's CardReader. */
export class CardReader extends EventEmitter {
  readonly name: string;
  state = 0;
  connected = false;
  #session: PcscThread | undefined;
  #closed = false;
  readonly #onClose: (reader: CardReader) => void;

  constructor(name: string, onClose: (reader: CardReader) => void) {
    super();
    this.name = name;
    this.#onClose = onClose;
    Object.assign(this, CONSTANTS);
  }

  /** SCARD_CTL_CODE(code) of the platform. */
  SCARD_CTL_CODE(code: number): number {
    return ABI.ctlCode(code);
  }

  #thread(): PcscThread {
    if (!this.#session?.alive) this.#session = new PcscThread();
    return this.#session;
  }

  #settle<T>(work: Promise<T>, cb: Callback<T> | undefined, then?: (value: T) => void): void {
    work.then(
      (value) => {
        then?.(value);
        cb?.call(this, null, value);
      },
      (error: Error) => cb?.call(this, error),
    );
  }

  /** connect([options], callback(err, protocol)): share mode EXCLUSIVE and protocols T0|T1 by default. */
  connect(options?: { share_mode?: number; protocol?: number } | Callback<number>, cb?: Callback<number>): void {
    if (typeof options === "function") [cb, options] = [options, undefined];
    const share = options?.share_mode || SCARD.SHARE_EXCLUSIVE;
    const protocols = options?.protocol || SCARD.PROTOCOL_T0 | SCARD.PROTOCOL_T1;
    if (this.connected) {
      cb?.call(this, null);
      return;
    }
    this.#settle(this.#thread().connect(this.name, share, protocols, CALL_LIMIT_MS), cb, () => (this.connected = true));
  }

  /** disconnect([disposition], callback(err)): SCARD_UNPOWER_CARD by default. */
  disconnect(disposition?: number | Callback, cb?: Callback): void {
    if (typeof disposition === "function") [cb, disposition] = [disposition, undefined];
    if (!this.connected) {
      cb?.call(this, null);
      return;
    }
    const d = typeof disposition === "number" ? disposition : SCARD.UNPOWER_CARD;
    this.#settle(this.#thread().disconnect(d, CALL_LIMIT_MS), cb, () => (this.connected = false));
  }

  /** transmit(data, res_len, protocol, callback(err, data)): res_len is the receive buffer's size. */
  transmit(data: Uint8Array, resLen: number, _protocol: number, cb: Callback<Buffer>): void {
    if (!this.connected) {
      cb.call(this, new Error("Card Reader not connected"));
      return;
    }
    const work = this.#thread()
      .transmit(data, CALL_LIMIT_MS)
      .then((r) => {
        if (r.length > resLen) throw new PcscError("SCardTransmit", CODE.SCARD_E_INSUFFICIENT_BUFFER);
        return Buffer.from(r);
      });
    this.#settle(work, cb);
  }

  /** control(data, control_code, res_len, callback(err, data)). */
  control(data: Uint8Array, controlCode: number, resLen: number, cb: Callback<Buffer>): void {
    if (!this.connected) {
      cb.call(this, new Error("Card Reader not connected"));
      return;
    }
    this.#settle(this.#thread().control(controlCode, data, resLen, CALL_LIMIT_MS).then((r) => Buffer.from(r)), cb);
  }

  /** Stop watching this reader; emits `end`. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.connected = false;
    void this.#session?.close();
    this.#session = undefined;
    this.#onClose(this);
    this.removeAllListeners("status");
    this.emit("end");
  }

  /** Report a state from the monitor: emit `status`, then remember it. */
  report(state: number, atr: Uint8Array): void {
    if (this.#closed) return;
    const status: { state: number; atr?: Buffer } = { state };
    if (atr.length > 0) status.atr = Buffer.from(atr);
    this.emit("status", status);
    this.state = state;
  }
}

/** The object `pcsclite()` returns: emits `reader` and `error`. */
export class PCSCLite extends EventEmitter {
  readonly readers: Record<string, CardReader> = {};
  #thread: PcscThread | undefined;
  #closed = false;

  constructor() {
    super();
    process.nextTick(() => void this.#run());
  }

  async #run(): Promise<void> {
    let failing = false;
    while (!this.#closed) {
      try {
        await this.#watch();
        failing = false;
      } catch (error) {
        if (this.#closed) return;
        if (!failing) this.emit("error", error);
        failing = true;
        await new Promise((r) => setTimeout(r, RETRY_MS));
      }
    }
  }

  /** One monitoring session: list, report, wait for changes until an error or close. */
  async #watch(): Promise<void> {
    const thread = new PcscThread();
    this.#thread = thread;
    try {
      await thread.establish(CALL_LIMIT_MS);
      const known = new Map<string, number>();
      let pnp: number = SCARD.STATE_UNAWARE;
      for (;;) {
        const names = await thread.listReaders(CALL_LIMIT_MS).catch((e) => {
          if (e instanceof PcscError && e.code === CODE.SCARD_E_NO_READERS_AVAILABLE) return [] as string[];
          throw e;
        });
        for (const name of Object.keys(this.readers)) if (!names.includes(name)) this.readers[name]!.close();
        for (const name of names) {
          if (this.readers[name] || this.#closed) continue;
          const reader = new CardReader(name, (r) => {
            delete this.readers[r.name];
            known.delete(r.name);
          });
          this.readers[name] = reader;
          known.set(name, SCARD.STATE_UNAWARE);
          this.emit("reader", reader);
        }
        // Wait for changes of every reader (and of the reader list) in one call.
        let relist = false;
        while (!relist && !this.#closed) {
          const request = [...known].map(([reader, currentState]) => ({ reader, currentState }));
          if (ABI.pnpNotification) request.push({ reader: SCARD.PNP_NOTIFICATION, currentState: pnp });
          // A bounded wait: a cancel that lands between two waits is lost, so look at `closed` every second.
          const wait = WAIT_MS;
          const states = await thread.getStatusChange(request, wait, Number.POSITIVE_INFINITY).catch((e) => {
            if (e instanceof PcscError && (e.code === CODE.SCARD_E_TIMEOUT || (e.code === CODE.SCARD_E_CANCELLED && this.#closed))) return null;
            throw e;
          });
          if (this.#closed) return;
          if (states === null) {
            relist = !ABI.pnpNotification;
            continue;
          }
          for (const s of states) {
            if (s.reader === SCARD.PNP_NOTIFICATION) {
              if ((s.eventState & SCARD.STATE_CHANGED) !== 0) relist = true;
              pnp = s.eventState;
              continue;
            }
            if (!known.has(s.reader)) continue;
            known.set(s.reader, s.eventState);
            if ((s.eventState & (SCARD.STATE_UNKNOWN | SCARD.STATE_UNAVAILABLE)) !== 0) relist = true;
            this.readers[s.reader]?.report(s.eventState & SCARD.STATE_MASK, s.atr);
          }
        }
        if (this.#closed) return;
      }
    } finally {
      this.#thread = undefined;
      void thread.close();
    }
  }

  /** Stop watching readers and close them. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const ctx = this.#thread?.context;
    if (ctx !== undefined) {
      try {
        cancel(ctx);
      } catch {
        // The service is gone: nothing to cancel.
      }
    }
    for (const reader of Object.values(this.readers)) reader.close();
  }
}

/** node-pcsclite's entry point: a new PCSCLite that starts watching readers. */
function pcsclite(): PCSCLite {
  return new PCSCLite();
}

// node-pcsclite is `module.exports = function () {...}`: Bun's "module.exports"
// export name makes `require("webcard/pcsclite")()` work as well as ESM imports.
export { pcsclite, pcsclite as "module.exports", pcsclite as default };
