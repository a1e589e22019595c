/**
 * Many stations, one queue: a PostgreSQL server of the test's own (Debian's
 * postgresql, stopped by PID), two `webcard station --queue` processes, each
 * with its own vpcd reader and `webcard sim` cards. Both work at once and
 * every data row goes to exactly one card; a station SIGKILLed mid-card
 * releases the row it held (its transaction dies with its connection), and
 * the other station's next card gets it. `job verify` reads the chain from
 * PostgreSQL.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { SQL } from "bun";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { claimReader, CI, pcscUsable, type VpcdReader } from "../harness/pcscd.ts";
import { postgresMissing, postgresUsable, startPostgres } from "../harness/postgres.ts";
import { webcard } from "../harness/cli.ts";
import { startSim } from "../card/sim-process.ts";
import { FIXTURE_DIR } from "../card/fixtures.ts";
import { startStation, until, untilEmpty, type StationProcess } from "./station-process.ts";

const dir = mkdtempSync(join(tmpdir(), "webcard-station-pg-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const MASTER = "0F0E0D0C0B0A09080706050403020100";
const ROWS = 8;

test("with CI=true, PostgreSQL is there (a missing server fails, never skips)", () => {
  if (CI) expect(postgresMissing).toBeUndefined();
});

function writeJob(): string {
  copyFileSync(join(FIXTURE_DIR, "kaoh_helloworld.cap"), join(dir, "hello.cap"));
  writeFileSync(join(dir, "cards.csv"), "name\n" + Array.from({ length: ROWS }, (_, i) => `Queue ${i + 1}`).join("\n") + "\n");
  const job = {
    name: "shared queue",
    caps: [{ file: "hello.cap" }],
    install: [{ cap: "hello.cap" }],
    keys: { rotate: { master: "env:STATION_MASTER", kdf: "kdf3", version: 3 } },
    data: { csv: "cards.csv" },
    personalize: [{ "store-data": { to: "isd", tlv: { "5F20": "{name:ascii}" } } }],
  };
  const path = join(dir, "job.json");
  writeFileSync(path, JSON.stringify(job));
  return path;
}

describe("stations sharing a PostgreSQL queue", () => {
  test.if(pcscUsable && (postgresUsable || CI))(
    "two stations, one queue: every row once; a station killed mid-card hands its row to the other",
    async () => {
      const pg = await startPostgres();
      const readers: (VpcdReader & { release(): void })[] = [await claimReader(), await claimReader()];
      const stations: StationProcess[] = [];
      const sql = () => new SQL(pg.url("queue"), { max: 1 });
      try {
        await pg.createDatabase("queue");
        const job = writeJob();
        const env = { STATION_MASTER: MASTER };
        const start = (reader: VpcdReader) => startStation(job, ["--queue", pg.url("queue"), "--readers", reader.name, "--station", `station-${reader.port}`], env);
        stations.push(start(readers[0]!), start(readers[1]!));
        const okRows = async () => {
          const db = sql();
          try {
            return (await db`SELECT identity, data_row, body FROM record WHERE result = 'ok' ORDER BY seq`.catch(() => [])) as { identity: string; data_row: number; body: string }[];
          } finally {
            await db.close();
          }
        };
        let card = 0;
        /** One card in `reader`, until the record has one more successful row from it. */
        const oneCard = async (reader: VpcdReader) => {
          const before = (await okRows()).filter((r) => JSON.parse(r.body).reader === reader.name).length;
          const sim = await startSim(reader.port, ["--state", join(dir, `card-${card++}.sqlite`), "--no-link"]);
          try {
            await until(async () => (await okRows()).filter((r) => JSON.parse(r.body).reader === reader.name).length > before, 120_000, `a card done in ${reader.name}`).catch(async (e: Error) => {
              const { listReaders } = await import("../../src/host/pcsc/readers.ts");
              const pcsc = JSON.stringify((await listReaders({ protocol: false })).map((r) => ({ name: r.name, present: r.cardPresent })));
              throw new Error(`${e.message}; PC/SC shows ${pcsc}; the sim said: ${sim.stderr().slice(-500)}; the stations said:\n${stations.map((s) => s.output().slice(-2000)).join("\n---\n")}`);
            });
          } finally {
            sim.proc.kill("SIGTERM");
            await sim.proc.exited;
            await untilEmpty(reader.name);
          }
        };
        // Both stations at once: three cards each.
        await Promise.all(readers.map(async (r) => {
          for (let i = 0; i < 3; i++) await oneCard(r);
        }));
        expect((await okRows()).length).toBe(6);

        // Station A takes a card and is killed mid-card, holding a row.
        const a = stations[0]!;
        const mark = a.output().length;
        // A card that takes a real card's time (200 ms a command), so the kill lands while station A holds the row,
        // not after a 60 ms card is already done.
        const simA = await startSim(readers[0]!.port, ["--state", join(dir, `card-${card++}.sqlite`), "--no-link", "--timing", "200"]);
        let held = 0;
        await until(() => {
          const m = /"state":"working"[^\n]*"step":"(install|personalize)"[^\n]*"row":(\d+)/.exec(a.output().slice(mark)) ?? /"row":(\d+)[^\n]*"step":"(install|personalize)"/.exec(a.output().slice(mark));
          if (m) held = Number(m[2] ?? m[1]);
          return m !== null;
        }, 60_000, "station A to work on a card");
        a.proc.kill("SIGKILL");
        await a.proc.exited;
        simA.proc.kill("SIGTERM");
        await simA.proc.exited;
        await untilEmpty(readers[0]!.name);
        expect(held).toBe(7);

        // Station B's next cards take the released row and the last one.
        await oneCard(readers[1]!);
        await oneCard(readers[1]!);
        const rows = await okRows();
        expect(rows.map((r) => r.data_row).sort((x, y) => x - y)).toEqual(Array.from({ length: ROWS }, (_, i) => i + 1));
        expect(new Set(rows.map((r) => r.identity)).size).toBe(ROWS);
        const heldBy = rows.find((r) => r.data_row === held)!;
        expect(JSON.parse(heldBy.body).reader).toBe(readers[1]!.name);
        const db = sql();
        const [left] = await db`SELECT count(*)::int AS n FROM data_rows WHERE used_by IS NULL`;
        await db.close();
        expect(left.n).toBe(0);

        const verify = webcard(["job", "verify", job, "--db", pg.url("queue")]);
        expect(verify.stdout).toContain("intact");
        expect(verify.code).toBe(0);
      } finally {
        for (const s of stations) {
          s.proc.kill("SIGTERM");
          await s.proc.exited;
        }
        for (const r of readers) r.release();
        await pg.stop();
      }
    },
    600_000,
  );
});
