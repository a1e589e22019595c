/**
 * The provisioning station: watches a rack of readers and runs the job on
 * every card put in, one card per reader at a time and the readers in
 * parallel. A card whose identity is already done in the record is said so
 * and left alone; a failure is recorded with its step and what the card
 * holds, and the other readers go on. Whatever happens to one card is an
 * event; the station itself never stops for a card's sake.
 */
import { errorLine } from "../../stack/errors.ts";
import type { Job } from "./job.ts";
import { provisionCard, type Step } from "./provision-card.ts";
import type { Rack } from "./rack.ts";
import type { CardOutcome, CardRecord } from "./record.ts";
import type { RecordStore } from "./record-store.ts";
import { readIdentity } from "./identity.ts";
import type { Transport } from "../../stack/transport/transport.ts";

/** Tries at reading a new card's identity, and the pause between them. */
const IDENTIFY_ATTEMPTS = 5;
const IDENTIFY_RETRY_MS = 300;

/** What a reader is doing. */
export type ReaderState = "empty" | "working" | "done" | "failed" | "already-done" | "error" | "paused";

export interface ReaderView {
  reader: string;
  state: ReaderState;
  identity?: string;
  step?: Step | "identity" | "record";
  /** The data row the card was given (1-based), while it is worked on. */
  row?: number;
  /** The last card's line: its row, or what went wrong. */
  detail?: string;
}

export type StationEvent =
  | { event: "reader"; view: ReaderView }
  | { event: "card"; reader: string; record: CardRecord; ms: number }
  | { event: "already-done"; reader: string; identity: string; seq: number }
  | { event: "error"; reader: string; error: string };

export interface StationOptions {
  job: Job;
  store: RecordStore;
  rack: Rack;
  /** This station's name in the record. */
  station: string;
  onEvent?: (e: StationEvent) => void;
}

/** Counts and rate since the station started. */
export interface StationCounts {
  done: number;
  failed: number;
  alreadyDone: number;
  /** Successful cards per hour since the first card began. */
  perHour: number;
}

export class Station {
  readonly #o: StationOptions;
  readonly #views = new Map<string, ReaderView>();
  readonly #busy = new Map<string, Promise<void>>();
  readonly #failures: CardRecord[] = [];
  #counts = { done: 0, failed: 0, alreadyDone: 0 };
  #firstStart: number | undefined;
  #paused = false;

  constructor(options: StationOptions) {
    this.#o = options;
  }

  get readers(): ReaderView[] {
    return [...this.#views.values()];
  }

  get counts(): StationCounts {
    const hours = this.#firstStart === undefined ? 0 : (Date.now() - this.#firstStart) / 3_600_000;
    return { ...this.#counts, perHour: hours > 0 ? Math.round(this.#counts.done / hours) : 0 };
  }

  /** The last failures, newest first (at most 20). */
  get failures(): CardRecord[] {
    return [...this.#failures];
  }

  get paused(): boolean {
    return this.#paused;
  }

  /** Take no new card (cards in progress finish). */
  pause(): void {
    this.#paused = true;
  }

  /** Take cards again, starting with those already in the readers. */
  resume(): void {
    this.#paused = false;
    void this.#o.rack.readers().then((rs) => rs.filter((r) => r.cardPresent).forEach((r) => this.#cardIn(r.name)), () => undefined);
  }

  #show(view: ReaderView): void {
    this.#views.set(view.reader, view);
    this.#o.onEvent?.({ event: "reader", view });
  }

  /** Watch the rack until `signal` aborts, then wait for the cards in progress. */
  async run(signal: AbortSignal): Promise<void> {
    for (const r of await this.#o.rack.readers()) {
      this.#show({ reader: r.name, state: "empty" });
      if (r.cardPresent) this.#cardIn(r.name);
    }
    try {
      for await (const e of this.#o.rack.events(signal)) {
        if (signal.aborted) break;
        if (e.type === "card-inserted") this.#cardIn(e.reader);
        else if (e.type === "card-removed" || e.type === "reader-added") {
          if (!this.#busy.has(e.reader)) this.#show({ reader: e.reader, state: "empty" });
        } else if (e.type === "reader-removed") this.#views.delete(e.reader);
      }
    } finally {
      await Promise.allSettled(this.#busy.values());
    }
  }

  #cardIn(reader: string): void {
    if (this.#busy.has(reader)) return;
    if (this.#paused) return this.#show({ reader, state: "paused", detail: "a card is waiting: the station is paused" });
    const work = this.#card(reader).finally(() => this.#busy.delete(reader));
    this.#busy.set(reader, work);
  }

  async #card(reader: string): Promise<void> {
    const { job, store, rack, station } = this.#o;
    const t0 = Date.now();
    this.#show({ reader, state: "working", step: "identity" });
    const first = await this.#identify(reader);
    if ("error" in first) return this.#error(reader, first.error);
    const { transport, identity } = first;
    try {
      const done = await store.done(identity);
      if (done) {
        this.#counts.alreadyDone++;
        this.#o.onEvent?.({ event: "already-done", reader, identity, seq: done.seq });
        return this.#show({ reader, state: "already-done", identity, detail: `already done (record row ${done.seq})` });
      }
      this.#firstStart ??= t0;
      const failedBefore = (why: string): CardOutcome => {
        const now = new Date().toISOString();
        return { identity, result: "failed", step: "data", error: why, cardState: "as it arrived (nothing was changed)", reader, station, started: now, finished: now, loaded: [], installed: [], personalized: 0, checks: [] };
      };
      const record = await store.withCard(job, identity, (row) =>
        provisionCard({ job, transport, identity, row, reader, station, onStep: (step) => this.#show({ reader, state: "working", identity, step, ...(row ? { row: row.n } : {}) }) }),
        failedBefore,
      );
      if (record.result === "ok") this.#counts.done++;
      else {
        this.#counts.failed++;
        this.#failures.unshift(record);
        this.#failures.length = Math.min(this.#failures.length, 20);
      }
      this.#o.onEvent?.({ event: "card", reader, record, ms: Date.now() - t0 });
      this.#show({
        reader,
        state: record.result === "ok" ? "done" : "failed",
        identity,
        detail: record.result === "ok" ? `record row ${record.seq}${record.dataLine ? `, data line ${record.dataLine}` : ""}` : `${record.step}: ${record.error}`,
      });
    } catch (error) {
      this.#error(reader, error);
    } finally {
      await transport.close().catch(() => undefined);
    }
  }

  /**
   * Connect and read the card's identity. A card just put in can fail its
   * first commands (contacts settling, a reader still powering it up, a
   * quick swap): while the reader still shows a card, try again a few times
   * before giving up on it. Nothing has been changed on the card yet.
   */
  async #identify(reader: string): Promise<{ transport: Transport & { close(): Promise<void> }; identity: string } | { error: unknown }> {
    let last: unknown;
    for (let attempt = 0; attempt < IDENTIFY_ATTEMPTS; attempt++) {
      if (attempt > 0) {
        await Bun.sleep(IDENTIFY_RETRY_MS);
        const still = (await this.#o.rack.readers().catch(() => [])).find((r) => r.name === reader);
        if (!still?.cardPresent) break;
      }
      let transport: (Transport & { close(): Promise<void> }) | undefined;
      try {
        transport = await this.#o.rack.connect(reader);
        return { transport, identity: await readIdentity(transport, this.#o.job.identity) };
      } catch (error) {
        last = error;
        await transport?.close().catch(() => undefined);
      }
    }
    return { error: last };
  }

  #error(reader: string, error: unknown): void {
    const line = errorLine(error);
    this.#o.onEvent?.({ event: "error", reader, error: line });
    this.#show({ reader, state: "error", detail: line });
  }
}
