/**
 * The live reader list: read once, then kept current from the reader
 * monitor. Every change is published as the full list ("readers") and as
 * the card event itself ("card", scoped to its reader), so pages follow
 * insertions and removals without reloading.
 */
import { toHex } from "../stack/bytes.ts";
import type { DashboardDeps, ReaderEvent, ReaderInfo } from "./deps.ts";
import type { EventHub } from "./event-hub.ts";

/** A reader as pages and JSON show it (ATR as hex). */
export interface ReaderView {
  name: string;
  cardPresent: boolean;
  atr?: string;
  protocol?: string;
  simulated: boolean;
}

/** Normalise a reader for display. */
export function readerView(r: ReaderInfo): ReaderView {
  const atr = r.atr === undefined ? undefined : typeof r.atr === "string" ? r.atr.toUpperCase() : toHex(r.atr);
  const protocol = r.protocol === undefined ? undefined : typeof r.protocol === "number" ? `T=${r.protocol === 2 ? 1 : 0}` : r.protocol;
  return { name: r.name, cardPresent: r.cardPresent, atr: atr || undefined, protocol, simulated: r.simulated === true };
}

/** A failed monitor (pcscd gone) is retried after 1 s, then less often, up to every 5 s. */
const RETRY_MS = { FIRST: 1000, MAX: 5000 } as const;

/** Keeps the reader list and publishes its changes. */
export class ReaderWatch {
  #readers: ReaderView[] = [];
  #problem: string | undefined;
  readonly #abort = new AbortController();
  #loop: Promise<void> | undefined;
  #first: Promise<unknown> | undefined;

  constructor(
    private readonly deps: Pick<DashboardDeps, "listReaders" | "monitor">,
    private readonly hub: EventHub,
  ) {}

  /** The current list. */
  get readers(): readonly ReaderView[] {
    return this.#readers;
  }

  /** Why readers cannot be listed (pcscd gone, ...), or undefined. */
  get problem(): string | undefined {
    return this.#problem;
  }

  /** Read the list now and publish it. */
  async refresh(): Promise<readonly ReaderView[]> {
    try {
      this.#readers = (await this.deps.listReaders()).map(readerView);
      this.#problem = undefined;
    } catch (e) {
      this.#problem = e instanceof Error ? e.message : String(e);
    }
    this.hub.publish({ event: "readers", data: { readers: this.#readers, problem: this.#problem } });
    return this.#readers;
  }

  /** Start following the monitor (idempotent). */
  start(): void {
    this.#first ??= this.refresh();
    this.#loop ??= this.#run();
  }

  /** Wait (at most `ms`) for the first listing, so a page opened right away is not empty. */
  async settled(ms: number): Promise<void> {
    if (!this.#first) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([this.#first, new Promise((r) => (timer = setTimeout(r, ms)))]);
    clearTimeout(timer);
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    await this.#first;
    let retry: number = RETRY_MS.FIRST;
    while (!signal.aborted) {
      try {
        for await (const e of this.deps.monitor(signal)) {
          if (signal.aborted) break;
          retry = RETRY_MS.FIRST;
          await this.#onEvent(e);
        }
      } catch (e) {
        if (signal.aborted) break;
        this.#problem = e instanceof Error ? e.message : String(e);
        this.hub.publish({ event: "readers", data: { readers: this.#readers, problem: this.#problem } });
      }
      if (!signal.aborted) await new Promise((r) => setTimeout(r, retry));
      retry = Math.min(retry * 2, RETRY_MS.MAX);
    }
  }

  async #onEvent(e: ReaderEvent): Promise<void> {
    await this.refresh();
    const atr = e.atr === undefined ? undefined : typeof e.atr === "string" ? e.atr : toHex(e.atr);
    this.hub.publish({ event: "card", reader: e.reader, data: { type: e.type, reader: e.reader, atr } });
  }

  /** Stop following the monitor. */
  async stop(): Promise<void> {
    this.#abort.abort();
    // A monitor that ignores the signal must not hold the shutdown.
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([this.#loop?.catch(() => undefined), new Promise((r) => (timer = setTimeout(r, 1000)))]);
    clearTimeout(timer);
  }
}
