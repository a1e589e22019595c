/**
 * In-process publish/subscribe between what happens (reader monitor,
 * operations, APDU trace) and the open server-sent event streams.
 */

/** One event for the pages. `reader` scopes it to one card page. */
export interface HubEvent {
  event: "readers" | "card" | "progress" | "done" | "trace";
  data: unknown;
  reader?: string;
}

export type HubListener = (e: HubEvent) => void;

/** A set of listeners; a listener that throws is dropped, never the publisher. */
export class EventHub {
  readonly #listeners = new Set<HubListener>();

  /** Listen to every event; returns the function that stops listening. */
  subscribe(listener: HubListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Deliver `e` to every listener. */
  publish(e: HubEvent): void {
    for (const l of this.#listeners) {
      try {
        l(e);
      } catch {
        this.#listeners.delete(l);
      }
    }
  }

  /** How many listeners are attached (for tests and shutdown). */
  get size(): number {
    return this.#listeners.size;
  }
}
