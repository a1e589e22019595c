/**
 * Runs card operations: one at a time per card (CardLocks), each on a
 * freshly opened, traced connection that is always closed afterwards.
 * Long ones (install) run in the background and report progress and their
 * end as events; a card pulled out mid-way ends them with the error and
 * frees the card for the next operation.
 */
import { withTrace } from "../stack/transport/trace.ts";
import { inTransaction } from "../stack/transport/transport.ts";
import type { CardLocks } from "./card-locks.ts";
import type { DashboardDeps, OpContext } from "./deps.ts";
import type { EventHub } from "./event-hub.ts";
import type { KeyStore } from "./key-store.ts";
import type { TraceLog } from "./trace-log.ts";
import { SwError, TransportError, UsageError } from "../stack/errors.ts";
import { browserLine } from "./errors.ts";
import { LinkError } from "../stack/link/link-error.ts";
import { WebLoadError } from "../host/loader/loading-program.ts";

/**
 * True when the error carries an answer of the card (a status word, an
 * HTTP status of its web server, a link error it reported) or never reached
 * it (bad input): the card is in the reader, no need to ask the reader.
 */
function cardAnswered(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (e instanceof SwError || e instanceof UsageError || e instanceof WebLoadError) return true;
    if (e instanceof LinkError && e.detectedBy === "card") return true;
  }
  return false;
}

/** How a background operation ended. */
export interface OpResult {
  id: string;
  reader: string;
  what: string;
  ok: boolean;
  message: string;
}

let counter = 0;

/** The operation runner of one dashboard. */
export class Operations {
  readonly #results = new Map<string, OpResult>();

  constructor(
    private readonly deps: Pick<DashboardDeps, "openCard">,
    private readonly locks: CardLocks,
    private readonly hub: EventHub,
    private readonly trace: TraceLog,
    private readonly keys: KeyStore,
    /** Whether the card has left `reader` (asked after a failure that is not the card's refusal). */
    private readonly cardGone: (reader: string) => Promise<boolean> = async () => false,
  ) {}

  /**
   * The line for a failed operation. A card pulled out mid-way shows up as
   * whatever the transport saw (no answer, a short answer); when the card
   * is gone, say that first.
   */
  async #failure(reader: string, what: string, error: unknown): Promise<string> {
    const line = browserLine(error);
    // A refusal wrapped with its reason (a missing import) must not wait for the reader checks.
    if (cardAnswered(error)) return line;
    if (error instanceof TransportError && error.kind === "removed") return line;
    if (!(await this.cardGone(reader).catch(() => false))) return line;
    return `The card was pulled out of '${reader}' while ${what} (${line}): insert it and try again`;
  }

  /** Run `fn` on the card in `reader` now; throws busy if another operation holds it. */
  async run<T>(reader: string, what: string, fn: (ctx: OpContext) => Promise<T>): Promise<T> {
    const release = this.locks.acquire(reader, what);
    try {
      return await this.#withCard(reader, fn);
    } finally {
      release();
    }
  }

  async #withCard<T>(reader: string, fn: (ctx: OpContext) => Promise<T>): Promise<T> {
    const card = await this.deps.openCard(reader);
    try {
      const transport = withTrace(card, this.trace.sink(reader));
      // One PC/SC transaction per operation: its SELECT, authentication and commands reach the card together.
      return await inTransaction(transport, "", () => fn({ transport, keys: this.keys.get(reader) }));
    } finally {
      await card.close().catch(() => undefined);
    }
  }

  /**
   * Start `fn` in the background and return its id at once. The card is
   * taken before returning, so a second request gets busy immediately.
   */
  start(reader: string, what: string, fn: (ctx: OpContext, id: string) => Promise<string>): string {
    const release = this.locks.acquire(reader, what);
    const id = `op${++counter}-${Date.now().toString(36)}`;
    void (async () => {
      let result: OpResult;
      try {
        const message = await this.#withCard(reader, (ctx) => fn(ctx, id));
        result = { id, reader, what, ok: true, message };
      } catch (e) {
        release();
        result = { id, reader, what, ok: false, message: await this.#failure(reader, what, e) };
      } finally {
        release();
      }
      this.#results.set(id, result);
      if (this.#results.size > 100) this.#results.delete(this.#results.keys().next().value!);
      this.hub.publish({ event: "done", reader, data: result });
    })();
    return id;
  }

  /** The result of a finished background operation. */
  result(id: string): OpResult | undefined {
    return this.#results.get(id);
  }
}
