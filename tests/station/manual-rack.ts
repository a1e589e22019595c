/**
 * A rack whose cards are put in and taken out by the test (or benchmark):
 * in-process simulated cards, each reader a name; the same Rack interface
 * the station gets from PC/SC.
 */
import type { Rack, RackEvent } from "../../src/host/station/rack.ts";
import { inProcessTransport } from "../../src/card/in-process.ts";
import { withIsoResponses } from "../../src/stack/transport/get-response.ts";
import type { VirtualCard } from "../../src/card/virtual-card.ts";

export class ManualRack implements Rack {
  readonly #cards = new Map<string, VirtualCard | undefined>();
  readonly #queue: RackEvent[] = [];
  #wake: (() => void) | undefined;

  constructor(readers: string[]) {
    for (const r of readers) this.#cards.set(r, undefined);
  }

  #emit(e: RackEvent): void {
    this.#queue.push(e);
    this.#wake?.();
  }

  insert(reader: string, card: VirtualCard): void {
    this.#cards.set(reader, card);
    this.#emit({ type: "card-inserted", reader });
  }

  remove(reader: string): void {
    this.#cards.set(reader, undefined);
    this.#emit({ type: "card-removed", reader });
  }

  async readers() {
    return [...this.#cards].map(([name, card]) => ({ name, cardPresent: card !== undefined }));
  }

  async *events(signal: AbortSignal): AsyncIterable<RackEvent> {
    signal.addEventListener("abort", () => this.#wake?.(), { once: true });
    while (!signal.aborted) {
      const e = this.#queue.shift();
      if (e) yield e;
      else await new Promise<void>((r) => (this.#wake = r));
    }
  }

  async connect(reader: string) {
    const card = this.#cards.get(reader);
    if (!card) throw new Error(`no card in ${reader}`);
    const t = withIsoResponses(inProcessTransport(card, { name: reader }));
    return { ...t, close: async () => undefined };
  }
}
