/**
 * Everything one dashboard holds, shared by its routes: the caller's deps,
 * the secrets, the live reader list, locks, keys, trace and the last facts
 * read from each card (shown, marked as such, while the card is busy).
 */
import type { CardOverview, DashboardDeps } from "./deps.ts";
import { CardLocks } from "./card-locks.ts";
import { EventHub } from "./event-hub.ts";
import { KeyStore } from "./key-store.ts";
import { Operations } from "./operations.ts";
import { ReaderWatch, type ReaderView } from "./reader-watch.ts";
import { TraceLog } from "./trace-log.ts";
import type { Secrets } from "./security.ts";

/** Uploads larger than this are refused with 413 (a CAP file is rarely over 100 KB). */
export const MAX_UPLOAD_BYTES = 4 * 1024 * 1024;

const GONE_CHECKS = 4;
const GONE_INTERVAL_MS = 400;

export class DashboardState {
  readonly hub = new EventHub();
  readonly locks = new CardLocks();
  readonly keys = new KeyStore();
  readonly trace: TraceLog;
  readonly watch: ReaderWatch;
  readonly ops: Operations;
  readonly lastOverview = new Map<string, CardOverview>();

  constructor(
    readonly deps: DashboardDeps,
    readonly secrets: Secrets,
  ) {
    this.trace = new TraceLog(this.hub);
    this.watch = new ReaderWatch(deps, this.hub);
    this.ops = new Operations(deps, this.locks, this.hub, this.trace, this.keys, (reader) => this.#cardGone(reader));
  }

  /**
   * Whether the card has left `reader`: PC/SC notices a removal by polling
   * (vpcd about every 400 ms), so look a few times before saying no.
   */
  async #cardGone(reader: string): Promise<boolean> {
    for (let i = 0; i < GONE_CHECKS; i++) {
      const r = (await this.watch.refresh()).find((x) => x.name === reader);
      if (!r?.cardPresent) return true;
      await new Promise((resolve) => setTimeout(resolve, GONE_INTERVAL_MS));
    }
    return false;
  }

  /** The reader called `name`, re-reading the list once if it is not known yet. */
  async reader(name: string): Promise<ReaderView | undefined> {
    const find = () => this.watch.readers.find((r) => r.name === name);
    return find() ?? (await this.watch.refresh(), find());
  }

  /** Base URL of the card's own pages for `reader` (ends with '/'). */
  cardWebBase(reader: string): string {
    return `/card-web/${this.secrets.frame}/${encodeURIComponent(reader)}/`;
  }
}
