/**
 * A session with the card in one reader, as a Transport. Its PC/SC calls run
 * in a worker of its own, each under a time limit (default 30 s): a card that
 * stops answering fails the command with a timeout, the session is reset (the
 * stuck worker is abandoned and the next command reconnects), and the main
 * thread keeps serving meanwhile.
 *
 * Multi-APDU work runs in `transaction()`: SCardBeginTransaction ...
 * SCardEndTransaction, so another program's commands wait instead of falling
 * between ours (pcsc-lite holds them in SCardTransmit until the end). A card
 * reset by another program shows as SCARD_W_RESET_CARD on the next call:
 * the handle is reconnected (SCardReconnect, SCARD_LEAVE_CARD) and, when the
 * session had already talked to the card, the work fails as "reset by
 * another program" (resetError), never as whatever the card answers next.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { Transport } from "../../stack/transport/transport.ts";
import { TransportError } from "../../stack/errors.ts";
import { SCARD } from "../../ffi/abi.ts";
import { PcscThread, PcscTimeoutError } from "../../ffi/pcsc-thread.ts";
import { chooseReader } from "./choose-reader.ts";
import { pcscFailure, removedError, resetError, timeoutError } from "./errors.ts";
import { cardLeaves, explainTransmitFailure } from "./removal.ts";
import { isReset, retryWhileReset } from "./reset.ts";
import { listReaders, protocolName } from "./readers.ts";

/** An open card in a reader. */
export interface ReaderConnection extends Transport {
  readonly readerName: string;
  readonly atr: Uint8Array;
  readonly protocol: "T=0" | "T=1" | "RAW";
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** Exact name, substring or 1-based index; else WEBCARD_READER; else the only reader holding a card. */
  reader?: string;
  /** Time limit of every command, in ms (default 30,000). */
  timeoutMs?: number;
  /** SCARD_SHARE_SHARED (default) or SCARD_SHARE_EXCLUSIVE. */
  exclusive?: boolean;
}

/** Default time limit of one command. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** Choose a reader (see ConnectOptions.reader) and connect to its card. */
export async function connectReader(options: ConnectOptions = {}): Promise<ReaderConnection> {
  const readers = await listReaders({ protocol: false });
  const name = chooseReader(readers, options.reader);
  const session = new ReaderSession(name, options.timeoutMs ?? DEFAULT_TIMEOUT_MS, options.exclusive === true);
  await session.open();
  return session;
}

/** The connection: one worker thread, one card handle. */
export class ReaderSession implements ReaderConnection {
  readonly readerName: string;
  readonly #timeoutMs: number;
  readonly #share: number;
  #thread: PcscThread | undefined;
  /** An abandoned worker whose timed-out call has not returned yet. */
  #stuck: PcscThread | undefined;
  #atr: Uint8Array = new Uint8Array(0);
  #protocol: "T=0" | "T=1" | "RAW" = "T=1";
  #closed = false;
  #queue: Promise<unknown> = Promise.resolve();
  /** The operations of the transaction the current async context runs in, outermost first. */
  readonly #held = new AsyncLocalStorage<readonly string[]>();
  /** Transactions running: the PC/SC one is begun by the first and ended by it. */
  #depth = 0;
  /** Whether APDUs went to the card since it was (re)connected: a reset then undoes work of ours. */
  #exchanged = false;

  constructor(readerName: string, timeoutMs: number, exclusive = false) {
    this.readerName = readerName;
    this.#timeoutMs = timeoutMs;
    this.#share = exclusive ? SCARD.SHARE_EXCLUSIVE : SCARD.SHARE_SHARED;
  }

  get name(): string {
    return this.readerName;
  }

  get atr(): Uint8Array {
    return this.#atr;
  }

  get protocol(): "T=0" | "T=1" | "RAW" {
    return this.#protocol;
  }

  /** T=0 has no extended-length APDUs: its header has one length byte (ISO 7816-3 12.2; quirk t0NoExtendedLength). */
  get extendedLength(): boolean {
    return this.#protocol !== "T=0";
  }

  /**
   * Connect (again) in a fresh worker. A worker still stuck in a call that
   * timed out holds the reader in pcscd, and nothing can end that call from
   * outside: wait (within the time limit) for it to return before starting
   * another, so a card that never answers again costs one thread, not one
   * per command.
   */
  async open(): Promise<void> {
    const previous = this.#thread;
    this.#thread = undefined;
    previous?.abandon(new TransportError("closed", "session reset"));
    if (previous?.busy) this.#stuck = previous;
    if (this.#stuck && !(await this.#stuck.settled(this.#timeoutMs))) throw timeoutError(this.readerName, this.#timeoutMs);
    this.#stuck = undefined;
    const thread = new PcscThread();
    this.#thread = thread;
    try {
      const { protocol, atr } = await this.#connect(thread);
      this.#protocol = protocolName(protocol) ?? "T=1";
      this.#atr = atr;
      this.#exchanged = false;
    } catch (e) {
      if (thread.busy) this.#stuck = thread;
      void thread.close();
      this.#thread = undefined;
      throw pcscFailure(e, this.readerName, this.#timeoutMs);
    }
  }

  /**
   * SCardConnect, then SCardStatus. Another program that disconnects with
   * SCARD_UNPOWER_CARD or SCARD_RESET_CARD (pyscard's default is to unpower)
   * can make a connect at that moment fail with SCARD_W_UNPOWERED_CARD, or the
   * new handle see SCARD_W_RESET_CARD at once; nothing of ours is on the card
   * yet, so connect again, for a short while.
   */
  #connect(thread: PcscThread): Promise<{ protocol: number; atr: Uint8Array }> {
    return retryWhileReset(async () => {
      const protocol = await thread.connect(this.readerName, this.#share, SCARD.PROTOCOL_T0 | SCARD.PROTOCOL_T1, this.#timeoutMs);
      return { protocol, atr: (await thread.status(this.#timeoutMs)).atr };
    }, this.#timeoutMs);
  }

  #serial<T>(task: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(task, task);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  /** Send one command APDU; the response (data + SW). */
  transmit(command: Uint8Array): Promise<Uint8Array> {
    return this.#serial(async () => {
      if (this.#closed) throw new TransportError("closed", `connection to ${this.readerName} is closed`);
      // After a timeout the stuck worker was abandoned: reconnect in a new one.
      if (!this.#thread?.alive) await this.open();
      const thread = this.#thread!;
      let response: Uint8Array;
      try {
        response = await this.#transmitOnce(thread, command);
      } catch (e) {
        if (!isReset(e)) throw await explainTransmitFailure(thread, this.readerName, this.#timeoutMs, e);
        // Reset since our last call: it undid our work, unless there was none yet (then send the command again).
        const lost = this.#exchanged;
        await this.#acknowledgeReset(thread);
        if (lost) throw resetError(this.readerName, this.#operation(), e);
        try {
          response = await this.#transmitOnce(thread, command);
        } catch (again) {
          if (isReset(again)) throw resetError(this.readerName, this.#operation(), again);
          throw await explainTransmitFailure(thread, this.readerName, this.#timeoutMs, again);
        }
      }
      // vpcd reports success with no bytes when the card goes away mid-command:
      // a response without its two SW bytes is a failed exchange, never data.
      if (response.length < 2) {
        if (await cardLeaves(thread, this.readerName)) throw removedError(this.readerName);
        throw new TransportError(
          "protocol",
          `card in ${this.readerName} answered ${response.length} byte(s), without a status word (reconnect the card and try again)`,
        );
      }
      return response;
    });
  }

  /**
   * Run `fn` inside a PC/SC transaction (Transport.transaction). A call made
   * while one is held (nested, or from a concurrent flow) joins it.
   */
  async transaction<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    const held = this.#held.getStore() ?? [];
    if (this.#depth > 0) return this.#held.run([...held, operation], fn);
    this.#depth++;
    try {
      await this.#serial(() => this.#begin(operation));
      try {
        return await this.#held.run([operation], fn);
      } finally {
        await this.#serial(() => this.#end());
      }
    } finally {
      this.#depth--;
    }
  }

  /** The operation named in errors: the outermost one with a name. */
  #operation(): string | undefined {
    return this.#held.getStore()?.find((name) => name.length > 0);
  }

  /**
   * SCardBeginTransaction. A reset since our last exchange (isReset) is
   * acknowledged with SCardReconnect; it is harmless when nothing was sent
   * on this connection yet (begin again), and the end of the caller's work
   * otherwise.
   */
  async #begin(operation: string): Promise<void> {
    if (this.#closed) throw new TransportError("closed", `connection to ${this.readerName} is closed`);
    if (!this.#thread?.alive) await this.open();
    const thread = this.#thread!;
    try {
      await retryWhileReset(async () => {
        try {
          await thread.beginTransaction(this.#timeoutMs);
        } catch (e) {
          if (!isReset(e)) throw this.#beginFailure(e);
          const lost = this.#exchanged;
          await this.#acknowledgeReset(thread);
          throw lost ? resetError(this.readerName, operation || undefined, e) : e;
        }
      }, this.#timeoutMs);
    } catch (e) {
      throw isReset(e) ? resetError(this.readerName, operation || undefined, e) : e;
    }
  }

  /** pcsc-lite waits in SCardBeginTransaction while another program holds the card: past the limit, say so. */
  #beginFailure(error: unknown): Error {
    if (error instanceof PcscTimeoutError) {
      const seconds = Math.round(this.#timeoutMs / 100) / 10;
      return new TransportError("busy", `the card in ${this.readerName} was held by another program for over ${seconds} s`, {
        cause: error,
        hint: "close the program that holds it, or raise --timeout",
      });
    }
    return pcscFailure(error, this.readerName, this.#timeoutMs);
  }

  /** SCardEndTransaction, leaving the card as it is; a failure here changes nothing the work did. */
  async #end(): Promise<void> {
    const thread = this.#thread;
    if (!thread?.alive) return;
    try {
      await thread.endTransaction(SCARD.LEAVE_CARD, this.#timeoutMs);
    } catch {
      // Reset, removed or stopped since the last command: the lock is gone with it.
    }
  }

  /**
   * After a reset by another program: SCardReconnect, so the handle works
   * again. SCARD_LEAVE_CARD when the card is up; a card left unpowered (or
   * powered without a protocol) by the other program's disconnect needs
   * SCARD_RESET_CARD, which powers it up and negotiates the protocol. A
   * program resetting the card in a loop may do it again at once: try for a
   * short while.
   */
  async #acknowledgeReset(thread: PcscThread): Promise<void> {
    this.#exchanged = false;
    try {
      await retryWhileReset(async (n) => {
        const p = await thread.reconnect(this.#share, SCARD.PROTOCOL_T0 | SCARD.PROTOCOL_T1, n === 0 ? SCARD.LEAVE_CARD : SCARD.RESET_CARD, this.#timeoutMs);
        this.#protocol = protocolName(p) ?? this.#protocol;
        this.#atr = (await thread.status(this.#timeoutMs)).atr;
      }, this.#timeoutMs);
    } catch (e) {
      throw pcscFailure(e, this.readerName, this.#timeoutMs);
    }
  }

  async #transmitOnce(thread: PcscThread, command: Uint8Array): Promise<Uint8Array> {
    const response = await thread.transmit(command, this.#timeoutMs);
    this.#exchanged = true;
    return response;
  }

  /**
   * Reconnect to the card (after it was removed and inserted again, or reset
   * by another program): SCardReconnect with a reset; the ATR is read again.
   */
  reconnect(): Promise<void> {
    return this.#serial(async () => {
      if (this.#closed) throw new TransportError("closed", `connection to ${this.readerName} is closed`);
      const thread = this.#thread;
      if (!thread?.alive) return this.open();
      try {
        const p = await thread.reconnect(this.#share, SCARD.PROTOCOL_T0 | SCARD.PROTOCOL_T1, SCARD.RESET_CARD, this.#timeoutMs);
        this.#protocol = protocolName(p) ?? this.#protocol;
        this.#atr = (await thread.status(this.#timeoutMs)).atr;
        this.#exchanged = false;
      } catch (e) {
        throw pcscFailure(e, this.readerName, this.#timeoutMs);
      }
    });
  }

  /** Leave the card as it is and end the worker. Idempotent. */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    return this.#serial(async () => {
      const thread = this.#thread;
      this.#thread = undefined;
      if (!thread?.alive) return;
      try {
        await thread.disconnect(SCARD.LEAVE_CARD, 2_000);
      } catch {
        // Removed card or stopped service: nothing to leave.
      }
      await thread.close();
    });
  }
}

