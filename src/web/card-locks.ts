/**
 * One operation per card at a time. A second request for a busy card is
 * refused at once ("busy"), never queued behind the first: interleaving
 * APDUs of two operations would break both (a LOAD sequence, a secure
 * channel's MAC chaining).
 */
import { TransportError } from "../stack/errors.ts";

/** Per-reader try-locks. */
export class CardLocks {
  readonly #held = new Map<string, string>();

  /** What holds `reader`, or undefined. */
  holder(reader: string): string | undefined {
    return this.#held.get(reader);
  }

  /** Take the lock for `reader` or throw a busy TransportError; returns the release function. */
  acquire(reader: string, what: string): () => void {
    const current = this.#held.get(reader);
    if (current !== undefined) {
      throw new TransportError("busy", `The card in '${reader}' is busy (${current}): try again when it ends`);
    }
    this.#held.set(reader, what);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#held.delete(reader);
    };
  }
}
