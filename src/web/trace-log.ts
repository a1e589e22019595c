/**
 * The APDU trace of each card, kept for its page: the last lines per
 * reader, and every new line published to the card's event stream.
 * Secure-channel traffic is traced as it goes on the wire, so keys never
 * appear here (only cryptograms and MACs).
 */
import type { EventHub } from "./event-hub.ts";

const KEEP = 400;

/** Per-reader ring buffers of trace lines. */
export class TraceLog {
  readonly #lines = new Map<string, string[]>();
  constructor(private readonly hub: EventHub) {}

  /** A sink for `withTrace` that records lines for `reader`. */
  sink(reader: string): (line: string) => void {
    return (line) => this.add(reader, line);
  }

  /** Record one line. */
  add(reader: string, line: string): void {
    const stamped = `${new Date().toISOString().slice(11, 23)} ${line}`;
    let lines = this.#lines.get(reader);
    if (!lines) this.#lines.set(reader, (lines = []));
    lines.push(stamped);
    if (lines.length > KEEP) lines.splice(0, lines.length - KEEP);
    this.hub.publish({ event: "trace", reader, data: stamped });
  }

  /** The kept lines of `reader`, oldest first. */
  lines(reader: string): readonly string[] {
    return this.#lines.get(reader) ?? [];
  }

  /** Forget the trace of `reader`. */
  clear(reader: string): void {
    this.#lines.delete(reader);
  }
}
