/**
 * The dashboard's station view (`webcard station JOB --ui`), through
 * `app.request()`: the page shows the rack, counts and failures; the JSON
 * the page polls needs the header secret; pause stops the station taking
 * cards (a card put in waits, said so), start takes the waiting card; both
 * need the CSRF header.
 */
import { afterAll, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSimulatedCard } from "../../src/card/sim.ts";
import { readLoadFile } from "../../src/cli/load-file.ts";
import { checkJobFile } from "../../src/host/station/job-check.ts";
import { RecordStore } from "../../src/host/station/record-store.ts";
import { Station } from "../../src/host/station/station.ts";
import { createDashboard } from "../../src/web/app.ts";
import { cookieName } from "../../src/web/security.ts";
import { FIXTURE_DIR } from "../card/fixtures.ts";
import { makeFake } from "../web/fakes.ts";
import { HOST, PORT } from "../web/helpers.ts";
import { ManualRack } from "./manual-rack.ts";

const dir = mkdtempSync(join(tmpdir(), "webcard-station-web-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("station view: rack, counts, pause and start, guarded", async () => {
  copyFileSync(join(FIXTURE_DIR, "kaoh_helloworld.cap"), join(dir, "hello.cap"));
  writeFileSync(join(dir, "job.json"), JSON.stringify({ name: "web view", caps: [{ file: "hello.cap" }], install: [{ cap: "hello.cap" }] }));
  const checked = checkJobFile(join(dir, "job.json"), { readCap: readLoadFile });
  if (!checked.ok) throw new Error(JSON.stringify(checked.problems));
  const store = await RecordStore.open(join(dir, "record.sqlite"));
  await store.bind(checked.job);
  const rack = new ManualRack(["Rack 1", "Rack 2"]);
  const station = new Station({ job: checked.job, store, rack, station: "web" });
  const stop = new AbortController();
  const running = station.run(stop.signal);
  const dash = createDashboard(makeFake().deps, { port: PORT, station: { station, job: "web view", record: "record.sqlite" } });
  const req = (path: string, init: RequestInit = {}, secrets = true) => {
    const headers = new Headers(init.headers);
    headers.set("host", HOST);
    headers.set("cookie", `${cookieName(PORT)}=${dash.token}`);
    if (secrets) headers.set("x-csrf-token", dash.csrf);
    return Promise.resolve(dash.app.request(`http://${HOST}${path}`, { ...init, headers }));
  };
  const snapshot = async () => (await (await req("/api/station")).json()) as { paused: boolean; readers: { reader: string; state: string; detail?: string }[]; counts: { done: number } };
  try {
    rack.insert("Rack 1", createSimulatedCard({ statePath: ":memory:" }));
    for (let i = 0; i < 400 && (await snapshot()).counts.done < 1; i++) await Bun.sleep(10);
    const page = await (await req("/station", {}, false)).text();
    expect(page).toContain("Station: web view");
    expect(page).toContain("Rack 1");
    expect(page).toContain("1 done, 0 failed");
    expect((await req("/api/station", {}, false)).status).toBe(403);
    expect((await req("/api/station/pause", { method: "POST" }, false)).status).toBe(403);
    expect((await snapshot()).paused).toBe(false);

    expect((await req("/api/station/pause", { method: "POST" })).status).toBe(200);
    rack.insert("Rack 2", createSimulatedCard({ statePath: ":memory:" }));
    for (let i = 0; i < 100 && (await snapshot()).readers.find((r) => r.reader === "Rack 2")?.state !== "paused"; i++) await Bun.sleep(10);
    const paused = await snapshot();
    expect(paused.paused).toBe(true);
    expect(paused.readers.find((r) => r.reader === "Rack 2")).toMatchObject({ state: "paused", detail: "a card is waiting: the station is paused" });
    expect(paused.counts.done).toBe(1);

    expect((await req("/api/station/start", { method: "POST" })).status).toBe(200);
    for (let i = 0; i < 400 && (await snapshot()).counts.done < 2; i++) await Bun.sleep(10);
    expect((await snapshot()).counts.done).toBe(2);
  } finally {
    stop.abort();
    await running;
    await store.close();
    await dash.close();
  }
});
