/**
 * The station on in-process simulated cards (no PC/SC): a job with per-card
 * diversified keys and STORE DATA runs on cards in two readers; every card
 * ends with its own keys and data, a card seen again is recognised, a card
 * without its data row fails with the card as it arrived, and the record
 * verifies, then fails when a row is edited behind the triggers' back.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSimulatedCard, type SimulatedCard } from "../../src/card/sim.ts";
import { inProcessTransport } from "../../src/card/in-process.ts";
import { checkJobFile } from "../../src/host/station/job-check.ts";
import { RecordStore } from "../../src/host/station/record-store.ts";
import { Station, type StationEvent } from "../../src/host/station/station.ts";
import { openGpSession } from "../../src/host/gp/connect.ts";
import { getStatusAll } from "../../src/host/gp/registry.ts";
import { readLoadFile } from "../../src/cli/load-file.ts";
import { parseKeys } from "../../src/stack/gp/keys.ts";
import { send } from "../../src/stack/transport/transport.ts";
import { getData } from "../../src/stack/gp/commands.ts";
import { toHex } from "../../src/stack/bytes.ts";
import { withIsoResponses } from "../../src/stack/transport/get-response.ts";
import { FIXTURE_DIR } from "../card/fixtures.ts";
import { webcard } from "../harness/cli.ts";
import { ManualRack } from "./manual-rack.ts";
import { readIdentity } from "../../src/host/station/identity.ts";

const dir = mkdtempSync(join(tmpdir(), "webcard-station-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const MASTER = "A0A1A2A3A4A5A6A7A8A9AAABACADAEAF";
copyFileSync(join(FIXTURE_DIR, "kaoh_helloworld.cap"), join(dir, "hello.cap"));

function writeJob(rows: number): string {
  writeFileSync(join(dir, "cards.csv"), "name,pin\n" + Array.from({ length: rows }, (_, i) => `Card ${i + 1},${(1000 + i).toString()}`).join("\n") + "\n");
  const job = {
    name: "in-process",
    caps: [{ file: "hello.cap" }],
    install: [{ cap: "hello.cap" }],
    keys: { rotate: { master: "env:STATION_TEST_MASTER", kdf: "kdf3", version: 2 } },
    data: { csv: "cards.csv" },
    personalize: [{ "store-data": { to: "isd", tlv: { "5F20": "{name:ascii}", DF20: "{pin}" } } }],
  };
  const path = join(dir, "job.json");
  writeFileSync(path, JSON.stringify(job));
  return path;
}

async function untilSettled(station: Station, n: number): Promise<void> {
  for (let i = 0; i < 2000 && station.counts.done + station.counts.failed + station.counts.alreadyDone < n; i++) await Bun.sleep(5);
}

describe("station on in-process cards", () => {
  test("two readers, per-card keys and data; a card seen again; a card with no row left; the record's chain", async () => {
    const path = writeJob(4);
    const checked = checkJobFile(path, { readCap: readLoadFile, env: { STATION_TEST_MASTER: MASTER } });
    if (!checked.ok) throw new Error(JSON.stringify(checked.problems));
    const job = checked.job;
    const db = join(dir, "record.sqlite");
    const store = await RecordStore.open(db);
    await store.bind(job);
    const rack = new ManualRack(["Reader A", "Reader B"]);
    const events: StationEvent[] = [];
    const station = new Station({ job, store, rack, station: "test", onEvent: (e) => events.push(e) });
    const stop = new AbortController();
    const running = station.run(stop.signal);
    const cards: SimulatedCard[] = Array.from({ length: 5 }, () => createSimulatedCard({ statePath: ":memory:" }));
    let settled = 0;
    for (let i = 0; i < 4; i += 2) {
      rack.insert("Reader A", cards[i]!);
      rack.insert("Reader B", cards[i + 1]!);
      await untilSettled(station, (settled += 2));
      rack.remove("Reader A");
      rack.remove("Reader B");
    }
    // The first card again: recognised, not processed twice.
    rack.insert("Reader A", cards[0]!);
    await untilSettled(station, ++settled);
    // A fifth card: the four rows are used.
    rack.insert("Reader B", cards[4]!);
    await untilSettled(station, ++settled);
    stop.abort();
    await running;
    expect(station.counts).toMatchObject({ done: 4, failed: 1, alreadyDone: 1 });
    const records = await store.records();
    expect(records.map((r) => r.result)).toEqual(["ok", "ok", "ok", "ok", "failed"]);
    expect(new Set(records.filter((r) => r.result === "ok").map((r) => r.dataRow))).toEqual(new Set([1, 2, 3, 4]));
    expect(records[4]).toMatchObject({ step: "data", error: "every data row of cards.csv is used", cardState: "as it arrived (nothing was changed)" });

    // Each card opens with its own diversified keys and holds its own row's data.
    const master = parseKeys({ key: MASTER });
    const byIdentity = new Map<string, SimulatedCard>();
    for (const c of cards) byIdentity.set(await readIdentity(withIsoResponses(inProcessTransport(c)), { kind: "cplc" }), c);
    for (const r of records.filter((x) => x.result === "ok")) {
      const t = withIsoResponses(inProcessTransport(byIdentity.get(r.identity)!));
      const s = await openGpSession(t, { keys: master, kdf: "kdf3", keyVersion: 2 });
      const apps = await getStatusAll(s.channel, "apps");
      expect(apps.some((a) => toHex(a.aid) === "D0D1D2D3D4D50101")).toBe(true);
      const name = (await send(s.channel, getData(0x5f20))).data;
      expect(toHex(name)).toBe("5F20" + toHex(Uint8Array.of(`Card ${r.dataRow}`.length)) + toHex(new TextEncoder().encode(`Card ${r.dataRow}`)));
      expect(r.keys?.version).toBe(2);
    }
    // The arrival key no longer opens a processed card: it has its per-card keys only.
    await expect(openGpSession(withIsoResponses(inProcessTransport(cards[0]!)), { keys: parseKeys({ key: "default" }) })).rejects.toThrow(/cryptogram/);
    await store.close();

    expect(webcard(["job", "verify", path, "--db", db]).code).toBe(0);
    const report = webcard(["job", "report", path, "--db", db, "--csv"]);
    expect(report.stdout.trim().split("\n").length).toBe(6);
    expect(report.stdout).not.toContain(MASTER);

    // Edit a row as an attacker would (the triggers refuse UPDATE: drop them first).
    const raw = new Database(db);
    expect(() => raw.run("UPDATE record SET identity = 'X' WHERE seq = 2")).toThrow(/append-only/);
    raw.run("DROP TRIGGER record_no_update");
    raw.run("UPDATE record SET body = replace(body, '\"dataRow\":2', '\"dataRow\":3') WHERE seq = 2");
    raw.close();
    const bad = webcard(["job", "verify", path, "--db", db]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("row 2: its body does not match its hash (the row was edited)");
  });
});

describe("a card that fails", () => {
  test("after loading, before its keys change: the packages this run loaded are deleted again", async () => {
    writeFileSync(join(dir, "fail.json"), JSON.stringify({
      name: "fails at personalize",
      caps: [{ file: "hello.cap" }],
      install: [{ cap: "hello.cap" }],
      // An application the card does not have: SELECT answers 6A82.
      personalize: [{ apdu: { select: "A000000999", commands: ["8010000000"] } }],
    }));
    const checked = checkJobFile(join(dir, "fail.json"), { readCap: readLoadFile });
    if (!checked.ok) throw new Error(JSON.stringify(checked.problems));
    const store = await RecordStore.open(join(dir, "fail.sqlite"));
    await store.bind(checked.job);
    const rack = new ManualRack(["Reader A"]);
    const station = new Station({ job: checked.job, store, rack, station: "test" });
    const stop = new AbortController();
    const running = station.run(stop.signal);
    const card = createSimulatedCard({ statePath: ":memory:" });
    rack.insert("Reader A", card);
    await untilSettled(station, 1);
    stop.abort();
    await running;
    const [row] = await store.records();
    await store.close();
    expect(row).toMatchObject({ result: "failed", step: "personalize", cardState: "as it arrived (the packages this run loaded were deleted)" });
    expect(row!.error).toBe("SELECT A000000999 failed with 6A82 (File or application not found)");
    // The card holds nothing of the job: the default key still opens it, and the package is gone.
    const s = await openGpSession(withIsoResponses(inProcessTransport(card)), { keys: parseKeys({ key: "default" }) });
    expect((await getStatusAll(s.channel, "load-files")).some((f) => toHex(f.aid) === "D0D1D2D3D4D501")).toBe(false);
  });
});
