/**
 * The main-thread side of a PC/SC worker (worker.ts): typed calls, one at a
 * time, each with a time limit. A call that overruns its limit abandons the
 * worker (it exits when the stuck call returns) and fails with a
 * PcscTimeoutError; the main thread never waits on PC/SC itself.
 */
import { fromHex, toHex } from "../stack/bytes.ts";
import { TransportError, WebcardError } from "../stack/errors.ts";
import { channel, OP, OP_CALL, RESULT, STATE, WORD, readJson, writeJson, type Channel, type Op } from "./channel.ts";
import { PcscError } from "./pcsc-error.ts";
import type { ReaderStateIn } from "./winscard.ts";

/** A call to the worker did not return within its time limit. */
export class PcscTimeoutError extends WebcardError {
  override name = "PcscTimeoutError";
  readonly call: string;
  readonly timeoutMs: number;
  constructor(call: string, timeoutMs: number) {
    super(`${call} did not return within ${timeoutMs} ms`);
    this.call = call;
    this.timeoutMs = timeoutMs;
  }
}

/** A reader state as the worker reports it. */
export interface ReaderStateReport {
  reader: string;
  eventState: number;
  atr: Uint8Array;
}

/** Status of the connected card. */
export interface StatusReport {
  reader: string;
  state: number;
  protocol: number;
  atr: Uint8Array;
}

const WORKER_URL = new URL("./worker.ts", import.meta.url).href;

/** How long a call polls for its answer before it sleeps on the state word (ms). */
const POLL_MS = 2;

/** Bun's Worker can be unref'd so an idle session never keeps the process alive. */
type BunWorker = Worker & { ref(): void; unref(): void };

/** One PC/SC worker thread with its own context and (at most) one card handle. */
export class PcscThread {
  readonly #worker: BunWorker;
  readonly #ch: Channel;
  #queue: Promise<unknown> = Promise.resolve();
  #dead: Error | undefined;
  #context: bigint | undefined;

  constructor() {
    this.#ch = channel();
    this.#worker = new Worker(WORKER_URL) as BunWorker;
    this.#worker.addEventListener("error", (event) => this.#fail(new WebcardError(`PC/SC worker failed: ${event.message}`)));
    this.#worker.postMessage({ channel: this.#ch.buffer });
    this.#worker.unref();
  }

  /** Whether the thread can still take calls (not closed, not abandoned). */
  get alive(): boolean {
    return this.#dead === undefined;
  }

  /** The context value, for SCardCancel from the main thread (after establish()). */
  get context(): bigint | undefined {
    return this.#context;
  }

  #fail(error: Error): void {
    this.#dead ??= error;
    // Wake a waiting call: it finds the thread dead.
    Atomics.store(this.#ch.words, WORD.RESULT, RESULT.ERROR);
    Atomics.store(this.#ch.words, WORD.STATE, STATE.RESPONSE);
    Atomics.notify(this.#ch.words, WORD.STATE);
    this.#worker.unref();
  }

  /** Whether the worker is inside a PC/SC call (after a timeout: still stuck in it). */
  get busy(): boolean {
    return Atomics.load(this.#ch.words, WORD.STATE) === STATE.REQUEST;
  }

  /**
   * Wait up to `timeoutMs` for the worker's current call to return; true when
   * it has (an abandoned worker then exits). Nothing can end a stuck
   * SCardTransmit from outside: SCardCancel ends only SCardGetStatusChange,
   * and terminate() cannot interrupt native code.
   */
  async settled(timeoutMs: number): Promise<boolean> {
    const w = this.#ch.words;
    const deadline = performance.now() + timeoutMs;
    while (Atomics.load(w, WORD.STATE) === STATE.REQUEST) {
      const left = deadline - performance.now();
      if (left <= 0) return false;
      const wait = Atomics.waitAsync(w, WORD.STATE, STATE.REQUEST, left);
      if (wait.async) await wait.value;
    }
    return true;
  }

  /** Give up on the worker: it exits after its current call. */
  abandon(reason: Error): void {
    if (this.#dead) return;
    this.#dead = reason;
    Atomics.store(this.#ch.words, WORD.ABANDONED, 1);
    Atomics.notify(this.#ch.words, WORD.STATE);
    this.#worker.unref();
  }

  /** Run one operation: `write` fills the request, the result is the response length. */
  #call(op: Op, timeoutMs: number, write: (area: Uint8Array) => number): Promise<number> {
    const run = async (): Promise<number> => {
      if (this.#dead) throw this.#dead;
      const w = this.#ch.words;
      w[WORD.OP] = op;
      w[WORD.IN_LEN] = write(this.#ch.input);
      w[WORD.RESULT] = RESULT.OK;
      Atomics.store(w, WORD.STATE, STATE.REQUEST);
      Atomics.notify(w, WORD.STATE);
      this.#worker.ref();
      try {
        const start = performance.now();
        const deadline = start + timeoutMs;
        // Most exchanges end within a millisecond: look at the state word once per turn
        // of the event loop (timers and sockets keep being served) before sleeping
        // on it. Atomics.waitAsync alone costs tens of microseconds per wake-up.
        const pollUntil = start + Math.min(POLL_MS, timeoutMs);
        while (Atomics.load(w, WORD.STATE) === STATE.REQUEST && performance.now() < pollUntil && !this.#dead) {
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
        // Wake-ups can be spurious: only the state word says the worker has answered.
        while (Atomics.load(w, WORD.STATE) === STATE.REQUEST) {
          if (this.#dead) throw this.#dead;
          const left = deadline - performance.now();
          if (left <= 0) {
            const error = new PcscTimeoutError(OP_CALL[op], timeoutMs);
            this.abandon(error);
            throw error;
          }
          const wait = Atomics.waitAsync(w, WORD.STATE, STATE.REQUEST, Number.isFinite(left) ? left : undefined);
          if (wait.async) await wait.value;
        }
        if (this.#dead) throw this.#dead;
        const result = w[WORD.RESULT];
        const length = w[WORD.OUT_LEN]!;
        Atomics.store(w, WORD.STATE, STATE.IDLE);
        if (result === RESULT.PCSC_ERROR) throw new PcscError(OP_CALL[op], w[WORD.CODE]! >>> 0);
        if (result === RESULT.ERROR) {
          const e = readJson<{ message: string; hint?: string }>(this.#ch.output, length);
          throw new TransportError("other", e.message, { hint: e.hint });
        }
        return length;
      } finally {
        this.#worker.unref();
      }
    };
    const next = this.#queue.then(run, run);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  #json<T>(op: Op, timeoutMs: number, args?: unknown): Promise<T> {
    return this.#call(op, timeoutMs, (area) => (args === undefined ? 0 : writeJson(area, args))).then((n) =>
      readJson<T>(this.#ch.output, n),
    );
  }

  #void(op: Op, timeoutMs: number, args?: unknown): Promise<void> {
    return this.#call(op, timeoutMs, (area) => (args === undefined ? 0 : writeJson(area, args))).then(() => undefined);
  }

  /** SCardEstablishContext (the worker also establishes on first need). */
  async establish(timeoutMs: number): Promise<bigint> {
    const r = await this.#json<{ context: string }>(OP.ESTABLISH, timeoutMs);
    this.#context = BigInt(r.context);
    return this.#context;
  }

  /** SCardListReaders. */
  listReaders(timeoutMs: number): Promise<string[]> {
    return this.#json<string[]>(OP.LIST_READERS, timeoutMs);
  }

  /** SCardGetStatusChange with a PC/SC timeout (`waitMs`) and a call limit (`timeoutMs`). */
  async getStatusChange(states: readonly ReaderStateIn[], waitMs: number, timeoutMs: number): Promise<ReaderStateReport[]> {
    const r = await this.#json<{ reader: string; eventState: number; atr: string }[]>(OP.GET_STATUS_CHANGE, timeoutMs, {
      timeout: waitMs,
      states,
    });
    return r.map((s) => ({ reader: s.reader, eventState: s.eventState, atr: fromHex(s.atr) }));
  }

  /** SCardConnect: the active protocol. */
  async connect(reader: string, share: number, protocols: number, timeoutMs: number): Promise<number> {
    return (await this.#json<{ protocol: number }>(OP.CONNECT, timeoutMs, { reader, share, protocols })).protocol;
  }

  /** SCardReconnect: the active protocol. */
  async reconnect(share: number, protocols: number, initialization: number, timeoutMs: number): Promise<number> {
    return (await this.#json<{ protocol: number }>(OP.RECONNECT, timeoutMs, { share, protocols, initialization })).protocol;
  }

  /** SCardDisconnect. */
  disconnect(disposition: number, timeoutMs: number): Promise<void> {
    return this.#void(OP.DISCONNECT, timeoutMs, { disposition });
  }

  /** SCardBeginTransaction. */
  beginTransaction(timeoutMs: number): Promise<void> {
    return this.#void(OP.BEGIN_TRANSACTION, timeoutMs);
  }

  /** SCardEndTransaction. */
  endTransaction(disposition: number, timeoutMs: number): Promise<void> {
    return this.#void(OP.END_TRANSACTION, timeoutMs, { disposition });
  }

  /** SCardStatus. */
  async status(timeoutMs: number): Promise<StatusReport> {
    const s = await this.#json<{ reader: string; state: number; protocol: number; atr: string }>(OP.STATUS, timeoutMs);
    return { ...s, atr: fromHex(s.atr) };
  }

  /** SCardGetAttrib. */
  async getAttrib(id: number, timeoutMs: number): Promise<Uint8Array> {
    const n = await this.#call(OP.GET_ATTRIB, timeoutMs, (area) => writeJson(area, { id }));
    return this.#ch.output.slice(0, n);
  }

  /** SCardControl. */
  async control(code: number, input: Uint8Array, outLength: number, timeoutMs: number): Promise<Uint8Array> {
    const hex = toHex(input);
    const n = await this.#call(OP.CONTROL, timeoutMs, (area) => writeJson(area, { code, input: hex, outLength }));
    return this.#ch.output.slice(0, n);
  }

  /** SCardTransmit of one command APDU; the response is copied out of shared memory. */
  async transmit(command: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
    if (command.length > this.#ch.input.length) throw new RangeError(`Command APDU of ${command.length} bytes is too long`);
    const n = await this.#call(OP.TRANSMIT, timeoutMs, (area) => {
      area.set(command);
      return command.length;
    });
    return this.#ch.output.slice(0, n);
  }

  /** Release the context and end the worker; waits at most `timeoutMs`, then abandons it. */
  async close(timeoutMs = 2000): Promise<void> {
    if (this.#dead) return;
    try {
      await this.#call(OP.EXIT, timeoutMs, () => 0);
    } catch {
      // A worker that cannot exit cleanly has been abandoned by #call.
    }
    this.#dead ??= new TransportError("closed", "PC/SC session closed");
  }
}
