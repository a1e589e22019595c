/**
 * The station through the real PC/SC stack (issue 17's "Must show"): pcscd
 * with both vpcd readers, a `webcard sim` in each, cards put in and taken out
 * by starting and stopping sims on fresh state files. 20 cards from a 20-row
 * CSV, with per-card keys diversified from a master key (KDF3) and STORE
 * DATA, while the station is killed with SIGKILL at 20 random points and
 * started again each time. Afterwards every card is in the record exactly
 * once, no data row went to two cards, each card opens with its own
 * diversified keys and holds its own row's data, and `job verify` passes;
 * an edited row makes it fail.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectReader } from "../../src/host/pcsc/connect.ts";
import { openGpSession } from "../../src/host/gp/connect.ts";
import { readIdentity } from "../../src/host/station/identity.ts";
import { parseKeys } from "../../src/stack/gp/keys.ts";
import { getData } from "../../src/stack/gp/commands.ts";
import { inTransaction, send } from "../../src/stack/transport/transport.ts";
import { claimReader, pcscUsable, type VpcdReader } from "../harness/pcscd.ts";
import { webcard } from "../harness/cli.ts";
import { rng } from "../harness/random.ts";
import { startSim } from "../card/sim-process.ts";
import { FIXTURE_DIR } from "../card/fixtures.ts";
import { startStation, until, untilEmpty, type StationProcess } from "./station-process.ts";

const dir = mkdtempSync(join(tmpdir(), "webcard-station-vpcd-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const MASTER = "404142434445464748494A4B4C4D4E4F".split("").reverse().join("");
const CARDS = 20;
const KILLS = 20;

function writeJob(): string {
  copyFileSync(join(FIXTURE_DIR, "kaoh_helloworld.cap"), join(dir, "hello.cap"));
  writeFileSync(join(dir, "cards.csv"), "name,pin\n" + Array.from({ length: CARDS }, (_, i) => `Holder ${i + 1},${(4000 + i).toString()}`).join("\n") + "\n");
  const job = {
    name: "vpcd batch",
    caps: [{ file: "hello.cap" }],
    install: [{ cap: "hello.cap", privileges: "card-reset" }],
    keys: { card: { key: "default" }, rotate: { master: "env:STATION_MASTER", kdf: "kdf3", version: 2 } },
    data: { csv: "cards.csv" },
    personalize: [{ "store-data": { to: "isd", tlv: { "5F20": "{name:ascii}", DF20: "{pin}" } } }],
    checks: { select: ["D0D1D2D3D4D50101"] },
  };
  const path = join(dir, "job.json");
  writeFileSync(path, JSON.stringify(job));
  return path;
}

interface Row {
  seq: number;
  identity: string;
  result: string;
  data_row: number | null;
  body: string;
}

function records(db: string): Row[] {
  if (!existsSync(db)) return [];
  const d = new Database(db, { readonly: true });
  try {
    return d.query("SELECT seq, identity, result, data_row, body FROM record ORDER BY seq").all() as Row[];
  } catch {
    return []; // not created yet
  } finally {
    d.close();
  }
}

/** Open the card in `reader` with its diversified keys; its identity and its 5F20 (the holder's name). */
async function cardOwnKeys(reader: string): Promise<{ identity: string; name: string }> {
  const t = await connectReader({ reader });
  try {
    // One transaction: a station starting up meanwhile selects the ISD, which would end our session.
    return await inTransaction(t, "verify", async () => {
      const identity = await readIdentity(t, { kind: "cplc" });
      const s = await openGpSession(t, { keys: parseKeys({ key: MASTER }), kdf: "kdf3", keyVersion: 2 });
      const r = await send(s.channel, getData(0x5f20));
      expect(r.sw).toBe(0x9000);
      return { identity, name: new TextDecoder().decode(r.data.subarray(3)) };
    });
  } finally {
    await t.close();
  }
}

describe("webcard station through pcscd + vpcd", () => {
  test.if(pcscUsable)(
    `${CARDS} cards on both readers with per-card keys and data, the station SIGKILLed ${KILLS} times; each card once, each row once; job verify`,
    async () => {
      const readers: (VpcdReader & { release(): void })[] = [await claimReader(), await claimReader()];
      const job = writeJob();
      const db = join(dir, "job.record.sqlite");
      const env = { STATION_MASTER: MASTER };
      const seed = Date.now() % 100_000;
      const random = rng(seed);
      let station: StationProcess = startStation(job, ["--readers", "Virtual PCD"], env);
      let kills = 0;
      let finished = false;
      const verified: { identity: string; name: string; reader: string }[] = [];
      try {
        // The killer: SIGKILL at random points while cards are being worked on, then start again.
        const killer = (async () => {
          while (kills < KILLS && !finished) {
            // Mostly mid-card: once this station process has begun a card, at a random point within its work.
            const working = () => /"state":"working"/.test(station.output());
            for (let i = 0; i < 100 && !working() && !finished; i++) await Bun.sleep(20);
            await Bun.sleep(random.int(600));
            if (finished) break;
            station.proc.kill("SIGKILL");
            await station.proc.exited;
            kills++;
            station = startStation(job, ["--readers", "Virtual PCD"], env);
          }
        })();
        // Each reader takes every other card: start a sim on a fresh state file, wait for its row, check it, take it out.
        const feed = async (reader: VpcdReader, index: number) => {
          for (let k = index; k < CARDS; k += readers.length) {
            // Paced by the kills, so that all of them fall while cards are being worked on, however fast this machine is.
            await until(() => kills >= Math.min(KILLS, k) - 2, 120_000, `kill ${k - 2} before card ${k}`);
            const sim = await startSim(reader.port, ["--state", join(dir, `card-${k}.sqlite`), "--no-link"]);
            try {
              const seen = new Set(verified.map((v) => v.identity));
              await until(
                () => records(db).some((r) => r.result === "ok" && JSON.parse(r.body).reader === reader.name && !seen.has(r.identity)),
                120_000,
                `card ${k} in ${reader.name} to be done`,
              ).catch((e: Error) => {
                throw new Error(`${e.message}; the station said:\n${station.output().slice(-3000)}`);
              });
              verified.push({ ...(await cardOwnKeys(reader.name)), reader: reader.name });
            } finally {
              sim.proc.kill("SIGTERM");
              await sim.proc.exited;
              await untilEmpty(reader.name);
            }
          }
        };
        await Promise.all(readers.map((r, i) => feed(r, i)));
        await until(() => kills >= KILLS, 120_000, `the last of ${KILLS} kills`);
        finished = true;
        await killer;
      } finally {
        finished = true;
        station.proc.kill("SIGTERM");
        await station.proc.exited;
        for (const r of readers) r.release();
      }
      const rows = records(db);
      const ok = rows.filter((r) => r.result === "ok");
      const failed = rows.filter((r) => r.result !== "ok");
      for (const f of failed) process.stderr.write(`station-vpcd failure: ${f.body}\n`);
      expect(failed.map((r) => r.body), `seed ${seed}`).toEqual([]);
      expect(ok.length).toBe(CARDS);
      expect(new Set(ok.map((r) => r.identity)).size).toBe(CARDS);
      expect(ok.map((r) => r.data_row).sort((a, b) => a! - b!)).toEqual(Array.from({ length: CARDS }, (_, i) => i + 1));
      expect(kills, `seed ${seed}`).toBe(KILLS);
      // Cards the station met again after a kill mid-card (a package already there, or keys already rotated).
      const resumed = ok.filter((r) => (JSON.parse(r.body) as { loaded: { reused: boolean }[] }).loaded.some((l) => l.reused)).length;
      process.stderr.write(`station-vpcd: seed ${seed}, ${kills} kills, ${resumed} cards resumed after a kill mid-card, ${rows.length} rows\n`);
      // Every card opened with its own diversified keys and held its own row's data.
      expect(verified.length).toBe(CARDS);
      for (const v of verified) {
        const row = ok.find((r) => r.identity === v.identity)!;
        expect(v.name).toBe(`Holder ${row.data_row}`);
      }
      const good = webcard(["job", "verify", job]);
      expect(good.stdout).toContain(`intact: ${rows.length} rows`);
      expect(good.code).toBe(0);
      const raw = new Database(db);
      raw.run("DROP TRIGGER record_no_update");
      raw.run("UPDATE record SET identity = 'FFFF' WHERE seq = 3");
      raw.close();
      const bad = webcard(["job", "verify", job]);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain("row 3: its columns differ from its body (the row was edited)");
    },
    600_000,
  );
});
