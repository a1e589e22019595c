/**
 * The readers PC/SC knows, and a stream of their changes (readers plugged in
 * or out, cards inserted or removed). Every PC/SC call runs in a worker
 * (src/ffi/pcsc-thread.ts) under a time limit.
 */
import { SCARD, ABI } from "../../ffi/abi.ts";
import { CODE, PcscError } from "../../ffi/pcsc-error.ts";
import { PcscThread, type ReaderStateReport } from "../../ffi/pcsc-thread.ts";
import { cancel } from "../../ffi/winscard.ts";
import { pcscFailure } from "./errors.ts";

/** A reader and the card in it. */
export interface ReaderInfo {
  name: string;
  cardPresent: boolean;
  atr?: Uint8Array;
  /** "T=0", "T=1" or "RAW": the protocol a connection gets (read with a shared connection). */
  protocol?: string;
}

/** A change seen by the monitor. */
export type ReaderEvent =
  | { type: "reader-added" | "reader-removed"; reader: string }
  | { type: "card-inserted"; reader: string; atr: Uint8Array }
  | { type: "card-removed"; reader: string };

/** Time limit of one listing. */
const LIST_LIMIT_MS = 10_000;
/** Time limit of reading one card's protocol. */
const PROBE_LIMIT_MS = 3_000;

/** A protocol number as text. */
export function protocolName(protocol: number): "T=0" | "T=1" | "RAW" | undefined {
  if (protocol === SCARD.PROTOCOL_T0) return "T=0";
  if (protocol === SCARD.PROTOCOL_T1) return "T=1";
  if (protocol === ABI.protocolRaw) return "RAW";
  return undefined;
}

function isCode(error: unknown, code: number): boolean {
  return error instanceof PcscError && error.code === code;
}

/** Reader names, [] when there are none. */
export async function readerNames(thread: Pick<PcscThread, "listReaders">, limitMs: number): Promise<string[]> {
  try {
    return await thread.listReaders(limitMs);
  } catch (e) {
    if (isCode(e, CODE.SCARD_E_NO_READERS_AVAILABLE)) return [];
    throw e;
  }
}

/** Current states of `names` (no waiting). */
export async function readerStates(thread: Pick<PcscThread, "getStatusChange">, names: readonly string[], limitMs: number): Promise<ReaderStateReport[]> {
  if (names.length === 0) return [];
  return thread.getStatusChange(
    names.map((reader) => ({ reader, currentState: SCARD.STATE_UNAWARE })),
    0,
    limitMs,
  );
}

/** The reader's insertion and removal count (high word of dwEventState; 0 where the system keeps none). */
function eventCount(eventState: number): number {
  return (eventState >>> 16) & 0xffff;
}

function present(eventState: number): boolean {
  return (eventState & SCARD.STATE_PRESENT) !== 0;
}

/** List the readers with card presence, ATR and protocol. */
export async function listReaders(options: { protocol?: boolean } = {}): Promise<ReaderInfo[]> {
  const thread = new PcscThread();
  try {
    const names = await readerNames(thread, LIST_LIMIT_MS);
    const states = await readerStates(thread, names, LIST_LIMIT_MS);
    const infos: ReaderInfo[] = states.map((s) =>
      present(s.eventState) ? { name: s.reader, cardPresent: true, atr: s.atr } : { name: s.reader, cardPresent: false },
    );
    if (options.protocol !== false) {
      for (const info of infos) {
        if (!info.cardPresent || !thread.alive) continue;
        try {
          const p = await thread.connect(info.name, SCARD.SHARE_SHARED, SCARD.PROTOCOL_T0 | SCARD.PROTOCOL_T1, PROBE_LIMIT_MS);
          info.protocol = protocolName(p);
          await thread.disconnect(SCARD.LEAVE_CARD, PROBE_LIMIT_MS);
        } catch {
          // Held exclusively by another program, or mute: the protocol stays unknown.
        }
      }
    }
    return infos;
  } catch (e) {
    throw pcscFailure(e);
  } finally {
    void thread.close();
  }
}

/** The calls the monitor makes on its worker. */
export type MonitorThread = Pick<PcscThread, "establish" | "listReaders" | "getStatusChange" | "close" | "abandon" | "context">;

/** Follow reader and card changes until `signal` aborts (or the consumer stops); `thread` is for tests. */
export function monitorReaders(signal?: AbortSignal, thread: () => MonitorThread = () => new PcscThread()): AsyncIterable<ReaderEvent> {
  return {
    [Symbol.asyncIterator]: () => new ReaderMonitor(signal, thread()),
  };
}

/** The events of one monitor, produced by a loop around SCardGetStatusChange in a worker. */
class ReaderMonitor implements AsyncIterator<ReaderEvent> {
  readonly #thread: MonitorThread;
  readonly #abort = new AbortController();
  readonly #queue: ReaderEvent[] = [];
  #waiter: (() => void) | undefined;
  #failure: Error | undefined;
  #done = false;

  constructor(signal: AbortSignal | undefined, thread: MonitorThread) {
    this.#thread = thread;
    if (signal?.aborted) this.#abort.abort();
    signal?.addEventListener("abort", () => this.#stop(), { once: true });
    void this.#run().then(
      () => this.#finish(),
      (e) => this.#finish(this.#abort.signal.aborted ? undefined : pcscFailure(e)),
    );
  }

  #emit(event: ReaderEvent): void {
    this.#queue.push(event);
    this.#wake();
  }

  #wake(): void {
    const w = this.#waiter;
    this.#waiter = undefined;
    w?.();
  }

  #finish(failure?: Error): void {
    this.#done = true;
    this.#failure ??= failure;
    void this.#thread.close();
    this.#wake();
  }

  #stop(): void {
    if (this.#abort.signal.aborted) return;
    this.#abort.abort();
    // SCardCancel ends the worker's blocked SCardGetStatusChange with SCARD_E_CANCELLED.
    const ctx = this.#thread.context;
    if (ctx !== undefined) {
      try {
        cancel(ctx);
      } catch {
        // The context is gone with the service: the loop ends on its own.
      }
    }
    // A cancel that raced ahead of the wait cannot end it: give up on the worker after a grace period.
    setTimeout(() => {
      if (this.#done) return;
      this.#thread.abandon(new Error("reader monitor stopped"));
      this.#finish();
    }, 1000).unref();
  }

  async #run(): Promise<void> {
    const aborted = () => this.#abort.signal.aborted;
    await this.#thread.establish(LIST_LIMIT_MS);
    const known = new Map<string, number>();
    for (const s of await readerStates(this.#thread, await readerNames(this.#thread, LIST_LIMIT_MS), LIST_LIMIT_MS)) {
      known.set(s.reader, s.eventState);
    }
    let pnp: number = SCARD.STATE_UNAWARE;
    if (ABI.pnpNotification) {
      const [s] = await this.#thread.getStatusChange([{ reader: SCARD.PNP_NOTIFICATION, currentState: pnp }], 0, LIST_LIMIT_MS).catch(
        () => [],
      );
      if (s) pnp = s.eventState;
    }
    while (!aborted()) {
      const request = [...known].map(([reader, currentState]) => ({ reader, currentState }));
      if (ABI.pnpNotification) request.push({ reader: SCARD.PNP_NOTIFICATION, currentState: pnp });
      // Without plug-and-play notification (macOS), wake up every second to look for new readers.
      const wait = ABI.pnpNotification && request.length > 0 ? SCARD.INFINITE : 1000;
      let changes: ReaderStateReport[];
      let relist = !ABI.pnpNotification;
      try {
        changes = await this.#thread.getStatusChange(request, wait, Number.POSITIVE_INFINITY);
      } catch (e) {
        if (isCode(e, CODE.SCARD_E_CANCELLED) && aborted()) return;
        if (isCode(e, CODE.SCARD_E_TIMEOUT)) changes = [];
        else if (isCode(e, CODE.SCARD_E_UNKNOWN_READER) || isCode(e, CODE.SCARD_E_READER_UNAVAILABLE)) {
          // A reader went away between two waits (pcsc-lite then fails the whole call): list again.
          changes = [];
          relist = true;
        } else if (isCode(e, CODE.SCARD_F_COMM_ERROR)) {
          // pcscd went away mid-wait; the next call names that (SCARD_E_NO_SERVICE) where it can.
          await readerNames(this.#thread, LIST_LIMIT_MS);
          throw e;
        } else throw e;
      }
      if (aborted()) return;
      for (const s of changes) {
        if (s.reader === SCARD.PNP_NOTIFICATION) {
          if ((s.eventState & SCARD.STATE_CHANGED) !== 0) relist = true;
          pnp = s.eventState;
          continue;
        }
        const before = known.get(s.reader);
        if (before === undefined || (s.eventState & SCARD.STATE_CHANGED) === 0) continue;
        if ((s.eventState & (SCARD.STATE_UNKNOWN | SCARD.STATE_UNAVAILABLE)) !== 0) {
          relist = true;
          continue;
        }
        known.set(s.reader, s.eventState & ~SCARD.STATE_CHANGED);
        if (!present(before) && present(s.eventState)) this.#emit({ type: "card-inserted", reader: s.reader, atr: s.atr });
        else if (present(before) && !present(s.eventState)) this.#emit({ type: "card-removed", reader: s.reader });
        else if (present(before) && present(s.eventState) && eventCount(before) !== eventCount(s.eventState)) {
          // A card swapped between two polls never shows as absent: pcsc-lite and Windows count
          // insertions and removals in the high word of dwEventState, so a new count is a new card.
          this.#emit({ type: "card-removed", reader: s.reader });
          this.#emit({ type: "card-inserted", reader: s.reader, atr: s.atr });
        }
      }
      if (relist) await this.#relist(known);
    }
  }

  async #relist(known: Map<string, number>): Promise<void> {
    const names = await readerNames(this.#thread, LIST_LIMIT_MS);
    for (const name of [...known.keys()]) {
      if (names.includes(name)) continue;
      known.delete(name);
      this.#emit({ type: "reader-removed", reader: name });
    }
    const added = names.filter((n) => !known.has(n));
    for (const s of await readerStates(this.#thread, added, LIST_LIMIT_MS)) {
      known.set(s.reader, s.eventState & ~SCARD.STATE_CHANGED);
      this.#emit({ type: "reader-added", reader: s.reader });
      if (present(s.eventState)) this.#emit({ type: "card-inserted", reader: s.reader, atr: s.atr });
    }
  }

  async next(): Promise<IteratorResult<ReaderEvent>> {
    for (;;) {
      const event = this.#queue.shift();
      if (event) return { value: event, done: false };
      if (this.#done) {
        const failure = this.#failure;
        this.#failure = undefined;
        if (failure) throw failure;
        return { value: undefined, done: true };
      }
      await new Promise<void>((resolve) => (this.#waiter = resolve));
    }
  }

  async return(): Promise<IteratorResult<ReaderEvent>> {
    this.#stop();
    this.#queue.length = 0;
    return { value: undefined, done: true };
  }
}
