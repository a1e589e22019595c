/** The station's live table (a terminal) and its log lines (a pipe), from a station that did one card. */
import { afterAll, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSimulatedCard } from "../../src/card/sim.ts";
import { readLoadFile } from "../../src/cli/load-file.ts";
import { eventLine, liveTable } from "../../src/cli/station-table.ts";
import { checkJobFile } from "../../src/host/station/job-check.ts";
import { RecordStore } from "../../src/host/station/record-store.ts";
import { Station, type StationEvent } from "../../src/host/station/station.ts";
import { FIXTURE_DIR } from "../card/fixtures.ts";
import { ManualRack } from "./manual-rack.ts";

const dir = mkdtempSync(join(tmpdir(), "webcard-station-table-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("the live table redraws in place: readers, card, result, counts; the log line names the row", async () => {
  copyFileSync(join(FIXTURE_DIR, "kaoh_helloworld.cap"), join(dir, "hello.cap"));
  writeFileSync(join(dir, "job.json"), JSON.stringify({ name: "table", caps: [{ file: "hello.cap" }], install: [{ cap: "hello.cap" }] }));
  const checked = checkJobFile(join(dir, "job.json"), { readCap: readLoadFile });
  if (!checked.ok) throw new Error(JSON.stringify(checked.problems));
  const store = await RecordStore.open(join(dir, "record.sqlite"));
  await store.bind(checked.job);
  const rack = new ManualRack(["Slot 1", "Slot 2"]);
  const events: StationEvent[] = [];
  let written = "";
  const station: Station = new Station({ job: checked.job, store, rack, station: "t", onEvent: (e) => (events.push(e), table.draw()) });
  const table = liveTable(station, (t) => (written += t), () => 100);
  const stop = new AbortController();
  const running = station.run(stop.signal);
  rack.insert("Slot 1", createSimulatedCard({ statePath: ":memory:" }));
  for (let i = 0; i < 500 && station.counts.done < 1; i++) await Bun.sleep(10);
  stop.abort();
  await running;
  await store.close();
  const frames = written.split("\x1b[J");
  const last = frames.at(-1)!.split("\n");
  expect(last[0]).toMatch(/^READER\s+CARD\s+STEP\s+RESULT$/);
  expect(last.find((l) => l.startsWith("Slot 1"))).toMatch(/^Slot 1\s+5743[0-9A-F]{16}\s+done: record row 1$/);
  expect(last.find((l) => l.startsWith("Slot 2"))).toMatch(/\(no card\)$/);
  expect(last[3]).toMatch(/^1 done, 0 failed, 0 already done; \d+ cards\/hour$/);
  // Each redraw first moves the cursor up over every line the frame before it wrote.
  for (const f of frames.slice(1, -1)) {
    const m = /^([^\x1b]*)\x1b\[(\d+)A\r$/.exec(f);
    expect(m).not.toBeNull();
    expect(Number(m![2])).toBe(m![1]!.split("\n").length - 1);
  }
  expect(frames.length).toBeGreaterThan(2);
  const card = events.find((e) => e.event === "card")!;
  expect(eventLine(card)).toMatch(/^Slot 1: card 5743[0-9A-F]{16} done \(record row 1\) in \d+ ms$/);
});
