/**
 * The readers a station watches, behind one small interface: which hold a
 * card now, their card events, and a session with the card in one of them.
 * `pcscRack` is every PC/SC reader (or those matching a pattern), followed
 * with SCardGetStatusChange; tests and benchmarks can supply another.
 */
import type { Transport } from "../../stack/transport/transport.ts";
import { withIsoResponses } from "../../stack/transport/get-response.ts";
import { ReaderSession } from "../pcsc/connect.ts";
import { listReaders, monitorReaders } from "../pcsc/readers.ts";

export type RackEvent = { type: "card-inserted" | "card-removed" | "reader-added" | "reader-removed"; reader: string };

export interface Rack {
  /** Reader names (matching the station's pattern) and whether each holds a card. */
  readers(): Promise<{ name: string; cardPresent: boolean }[]>;
  /** Card and reader changes until `signal` aborts. */
  events(signal: AbortSignal): AsyncIterable<RackEvent>;
  /** A session with the card in `reader` (ISO response handling included). */
  connect(reader: string): Promise<Transport & { close(): Promise<void> }>;
}

/** A reader pattern: a case-insensitive part of the name, `*` matching anything. */
export function readerPattern(pattern: string | undefined): (name: string) => boolean {
  if (pattern === undefined) return () => true;
  const re = new RegExp(pattern.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*"), "i");
  return (name) => re.test(name);
}

/** Every PC/SC reader whose name matches; each card session is a ReaderSession of its own (one PC/SC context and worker per reader). */
export function pcscRack(options: { pattern?: string; timeoutMs: number }): Rack {
  const wanted = readerPattern(options.pattern);
  return {
    async readers() {
      return (await listReaders({ protocol: false })).filter((r) => wanted(r.name)).map((r) => ({ name: r.name, cardPresent: r.cardPresent }));
    },
    async *events(signal) {
      for await (const e of monitorReaders(signal)) if (wanted(e.reader)) yield { type: e.type, reader: e.reader };
    },
    async connect(reader) {
      const session = new ReaderSession(reader, options.timeoutMs);
      await session.open();
      const iso = withIsoResponses(session);
      return { ...iso, transmit: iso.transmit, close: () => session.close() };
    },
  };
}
