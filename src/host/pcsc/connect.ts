/**
 * A session with the card in one reader, as a Transport. Its PC/SC calls run
 * in a worker of its own, each under a time limit (default 30 s): a card that
 * stops answering fails the command with a timeout, the session is reset (the
 * stuck worker is abandoned and the next command reconnects), and the main
 * thread keeps serving meanwhile.
 */
import type { Transport } from "../../stack/transport/transport.ts";
import { TransportError } from "../../stack/errors.ts";
import { SCARD } from "../../ffi/abi.ts";
import { CODE, PcscError } from "../../ffi/pcsc-error.ts";
import { PcscThread, PcscTimeoutError } from "../../ffi/pcsc-thread.ts";
import { chooseReader } from "./choose-reader.ts";
import { pcscFailure, removedError, timeoutError } from "./errors.ts";
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

/** After SCARD_E_NOT_TRANSACTED, how long to watch for the card leaving (pcsc-lite takes ~400 ms). */
const REMOVAL_WATCH_MS = 1_000;

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
  readonly extendedLength = true;
  readonly #timeoutMs: number;
  readonly #share: number;
  #thread: PcscThread | undefined;
  /** An abandoned worker whose timed-out call has not returned yet. */
  #stuck: PcscThread | undefined;
  #atr: Uint8Array = new Uint8Array(0);
  #protocol: "T=0" | "T=1" | "RAW" = "T=1";
  #closed = false;
  #queue: Promise<unknown> = Promise.resolve();

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
      const p = await thread.connect(this.readerName, this.#share, SCARD.PROTOCOL_T0 | SCARD.PROTOCOL_T1, this.#timeoutMs);
      this.#protocol = protocolName(p) ?? "T=1";
      this.#atr = (await thread.status(this.#timeoutMs)).atr;
    } catch (e) {
      if (thread.busy) this.#stuck = thread;
      void thread.close();
      this.#thread = undefined;
      throw pcscFailure(e, this.readerName, this.#timeoutMs);
    }
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
        response = await thread.transmit(command, this.#timeoutMs);
      } catch (e) {
        throw await this.#explain(thread, e);
      }
      // vpcd reports success with no bytes when the card goes away mid-command:
      // a response without its two SW bytes is a failed exchange, never data.
      if (response.length < 2) {
        if (await this.#leaves(thread)) throw removedError(this.readerName);
        throw new TransportError(
          "protocol",
          `card in ${this.readerName} answered ${response.length} byte(s), without a status word (reconnect the card and try again)`,
        );
      }
      return response;
    });
  }

  /** Turn a failed transmit into the error a user should see. */
  async #explain(thread: PcscThread, error: unknown): Promise<Error> {
    if (error instanceof PcscTimeoutError) return timeoutError(this.readerName, this.#timeoutMs, error);
    if (error instanceof PcscError && (error.code === CODE.SCARD_E_NOT_TRANSACTED || error.code === CODE.SCARD_F_COMM_ERROR)) {
      // A card pulled out mid-command first shows as a failed exchange: see whether it leaves the reader.
      if (await this.#leaves(thread)) return removedError(this.readerName, error);
    }
    if (error instanceof PcscError && error.code === CODE.SCARD_E_NO_SMARTCARD) return removedError(this.readerName, error);
    return pcscFailure(error, this.readerName, this.#timeoutMs);
  }

  async #leaves(thread: PcscThread): Promise<boolean> {
    try {
      let [s] = await thread.getStatusChange([{ reader: this.readerName, currentState: SCARD.STATE_UNAWARE }], 0, REMOVAL_WATCH_MS * 2);
      if (s && (s.eventState & SCARD.STATE_PRESENT) === 0) return true;
      [s] = await thread.getStatusChange([{ reader: this.readerName, currentState: s?.eventState ?? 0 }], REMOVAL_WATCH_MS, REMOVAL_WATCH_MS * 2);
      return s !== undefined && (s.eventState & SCARD.STATE_PRESENT) === 0;
    } catch {
      return false;
    }
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
