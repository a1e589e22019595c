import { expect, test } from "bun:test";
import { EventHub, type HubEvent } from "./event-hub.ts";
import { ReaderWatch, readerView } from "./reader-watch.ts";
import type { ReaderEvent, ReaderInfo } from "./deps.ts";

test("readerView gives the ATR as hex and a numeric protocol as T=", () => {
  expect(readerView({ name: "R", cardPresent: true, atr: Uint8Array.of(0x3b, 0x80), protocol: 2 })).toEqual({
    name: "R",
    cardPresent: true,
    atr: "3B80",
    protocol: "T=1",
    simulated: false,
  });
});

test("a failing monitor is reported as the problem, then events bring the list back", async () => {
  const hub = new EventHub();
  const events: HubEvent[] = [];
  hub.subscribe((e) => events.push(e));
  let readers: ReaderInfo[] = [{ name: "R", cardPresent: false }];
  let calls = 0;
  const watch = new ReaderWatch(
    {
      listReaders: async () => readers,
      async *monitor(signal): AsyncIterable<ReaderEvent> {
        calls++;
        if (calls === 1) throw new Error("PC/SC service not running (start pcscd)");
        readers = [{ name: "R", cardPresent: true, atr: "3B00" }];
        yield { type: "card-inserted", reader: "R" };
        await new Promise((r) => signal.addEventListener("abort", r, { once: true }));
      },
    },
    hub,
  );
  watch.start();
  for (let i = 0; i < 400 && !events.some((e) => e.event === "card"); i++) await Bun.sleep(10);
  const problems = events.filter((e) => e.event === "readers").map((e) => (e.data as { problem?: string }).problem);
  expect(problems).toContain("PC/SC service not running (start pcscd)");
  expect(events.find((e) => e.event === "card")).toMatchObject({ reader: "R", data: { type: "card-inserted" } });
  expect(watch.readers[0]?.cardPresent).toBe(true);
  expect(watch.problem).toBeUndefined();
  await watch.stop();
});
