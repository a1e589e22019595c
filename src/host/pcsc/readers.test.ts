import { describe, test, expect } from "bun:test";
import { SCARD } from "../../ffi/abi.ts";
import { CODE, PcscError } from "../../ffi/pcsc-error.ts";
import type { ReaderStateIn } from "../../ffi/winscard.ts";
import { TransportError } from "../../stack/errors.ts";
import { monitorReaders, type MonitorThread, type ReaderEvent } from "./readers.ts";

/**
 * A worker stand-in: readers A (empty) and B (with a card); B is unplugged
 * between two waits, so pcsc-lite fails the next wait that names it with
 * SCARD_E_UNKNOWN_READER (seen with pcsc-lite 1.9.9). A wait without B
 * blocks until the test aborts.
 */
function unpluggedBetweenWaits(signal: AbortSignal) {
  let names = ["A", "B"];
  let failedWaits = 0;
  const thread: MonitorThread = {
    context: undefined,
    establish: async () => 1n,
    listReaders: async () => names,
    close: async () => undefined,
    abandon: () => undefined,
    getStatusChange: async (states: readonly ReaderStateIn[], waitMs: number) => {
      if (waitMs === 0) {
        const state = (reader: string) => (reader === "B" ? SCARD.STATE_PRESENT : reader === "A" ? SCARD.STATE_EMPTY : 0);
        const report = states.map((s) => ({ reader: s.reader, eventState: state(s.reader), atr: new Uint8Array(0) }));
        names = ["A"]; // B goes away once the monitor knows it
        return report;
      }
      if (states.some((s) => s.reader === "B")) {
        // A monitor that keeps asking about B spins here: stop it after a few rounds.
        if (++failedWaits > 20) throw new PcscError("SCardGetStatusChange", CODE.SCARD_E_NO_SERVICE);
        throw new PcscError("SCardGetStatusChange", CODE.SCARD_E_UNKNOWN_READER);
      }
      return new Promise((_, reject) =>
        signal.addEventListener("abort", () => reject(new PcscError("SCardGetStatusChange", CODE.SCARD_E_CANCELLED)), { once: true }),
      );
    },
  };
  return thread;
}

describe("monitorReaders", () => {
  test("a reader gone between two waits is reported removed (no spinning on SCARD_E_UNKNOWN_READER)", async () => {
    const abort = new AbortController();
    const events: ReaderEvent[] = [];
    for await (const e of monitorReaders(abort.signal, () => unpluggedBetweenWaits(abort.signal))) {
      events.push(e);
      if (e.type === "reader-removed") abort.abort();
    }
    expect(events).toEqual([{ type: "reader-removed", reader: "B" }]);
  });

  test("pcscd going away mid-wait ends the monitor with the service error", async () => {
    const thread: MonitorThread = {
      context: undefined,
      establish: async () => 1n,
      listReaders: async () => {
        if (stopped) throw new PcscError("SCardListReaders", CODE.SCARD_E_NO_SERVICE);
        return ["A"];
      },
      close: async () => undefined,
      abandon: () => undefined,
      getStatusChange: async (states: readonly ReaderStateIn[], waitMs: number) => {
        if (waitMs === 0) return states.map((s) => ({ reader: s.reader, eventState: SCARD.STATE_EMPTY, atr: new Uint8Array(0) }));
        stopped = true;
        throw new PcscError("SCardGetStatusChange", CODE.SCARD_F_COMM_ERROR); // what pcsc-lite 1.9.9 says when pcscd stops
      },
    };
    let stopped = false;
    const failure = await (async () => {
      for await (const _ of monitorReaders(undefined, () => thread));
    })().then(() => undefined, (e: unknown) => e);
    expect(failure).toBeInstanceOf(TransportError);
    expect(failure).toMatchObject({ kind: "no-service", message: "PC/SC service not running (start pcscd)" });
  });

  test("a card swapped between two polls (present both times, a new insertion count) is reported removed and inserted", async () => {
    const abort = new AbortController();
    let waits = 0;
    const thread: MonitorThread = {
      context: undefined,
      establish: async () => 1n,
      listReaders: async () => ["A"],
      close: async () => undefined,
      abandon: () => undefined,
      getStatusChange: async (states: readonly ReaderStateIn[], waitMs: number) => {
        const atr = new Uint8Array(0);
        if (waitMs === 0) return states.map((s) => ({ reader: s.reader, eventState: SCARD.STATE_PRESENT | (3 << 16), atr }));
        if (++waits === 1) return [{ reader: "A", eventState: SCARD.STATE_CHANGED | SCARD.STATE_PRESENT | (5 << 16), atr }];
        return new Promise((_, reject) => abort.signal.addEventListener("abort", () => reject(new PcscError("SCardGetStatusChange", CODE.SCARD_E_CANCELLED)), { once: true }));
      },
    };
    const events: ReaderEvent[] = [];
    for await (const e of monitorReaders(abort.signal, () => thread)) {
      events.push(e);
      if (e.type === "card-inserted") abort.abort();
    }
    expect(events.map((e) => e.type)).toEqual(["card-removed", "card-inserted"]);
  });
});
