/**
 * Install cost: for every fixture CAP the card takes, plus CAPs made by the
 * CAP builder (just under the 256-block limit of LOAD, and ~94 KB beyond it,
 * which only the link carries), the time, APDU round trips and bytes on the
 * wire to install it by each path (`--via gp`, `bridge`, `web` short, `web`
 * extended), on the in-process simulated card and through pcscd + vpcd (a
 * `webcard sim` process on a vpcd reader); then two cards on the two vpcd
 * readers of one pcscd loaded at once against one after the other; the peak
 * RSS of this process. Medians of several runs, all in one run.
 *
 *   bun bench/load.ts [--quick] [--runs N]
 *
 * As root it runs itself in private namespaces with its own pcscd
 * (tests/pcsc/isolated.ts); without that, the pcscd part is skipped (noted).
 * Writes bench/results/load.json.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createWebCard } from "../src/card/link/with-link.ts";
import { inProcessTransport } from "../src/card/in-process.ts";
import { connectReader, type ReaderConnection } from "../src/host/pcsc/connect.ts";
import { openGpSession } from "../src/host/gp/connect.ts";
import { deleteAid } from "../src/host/gp/manage.ts";
import { withIsoResponses } from "../src/stack/transport/get-response.ts";
import type { Transport } from "../src/stack/transport/transport.ts";
import { isolatedArgv, isolationUsable, startPrivatePcscd, type PrivatePcscd } from "../tests/pcsc/isolated.ts";
import { startSim, type SimProcess } from "../tests/card/sim-process.ts";
import { ALGTEST, KEYS, PATHS, PYSIM, ROOT, builtCap, counting, fixtureCap, fixtureNames, installOn, needsLink, type Cap, type PathName } from "../tests/robustness/paths.ts";
import { machine, writeResult } from "./report.ts";

const { values } = parseArgs({ options: { quick: { type: "boolean" }, runs: { type: "string" } }, strict: true });
const RUNS = Number(values.runs ?? (values.quick ? 2 : 5));
const COMMAND = `bun bench/load.ts${values.quick ? " --quick" : ""}${values.runs ? ` --runs ${values.runs}` : ""}`;
/** Card memory for the large files (the default 64 KB would refuse the ~94 KB one). */
const MEMORY = 1 << 20;

if (isolationUsable && process.env.WEBCARD_BENCH_ISOLATED !== "1") {
  const child = Bun.spawn(isolatedArgv([process.execPath, import.meta.path, ...process.argv.slice(2)]), {
    cwd: ROOT,
    env: { ...process.env, WEBCARD_BENCH_ISOLATED: "1" },
    stdio: ["inherit", "inherit", "inherit"],
  });
  process.exit(await child.exited);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const round1 = (x: number) => Math.round(x * 10) / 10;
const peakRssMb = () => round1(process.resourceUsage().maxRSS / 1024);

interface Measure {
  ms: number;
  commands: number;
  afterAuth: number;
  bytes: number;
  refused?: string;
}

/** Time one install on `t` (a fresh counting wrapper per run). */
async function once(path: PathName, transport: Transport, cap: Cap): Promise<Measure> {
  const t = counting(transport);
  const t0 = performance.now();
  try {
    const afterAuth = await installOn(path, t, cap);
    return { ms: performance.now() - t0, commands: t.commands, afterAuth, bytes: t.sent + t.received };
  } catch (e) {
    const message = (e as Error).message;
    const refused = /256/.test(message) ? "refused: over 256 LOAD blocks" : /lacks imported package/.test(message) ? "refused: imports missing" : `failed: ${message.slice(0, 60)}`;
    return { ms: performance.now() - t0, commands: t.commands, afterAuth: 0, bytes: t.sent + t.received, refused };
  }
}

function summarise(ms: Measure[]): Measure {
  const last = ms.at(-1)!;
  return { ms: median(ms.map((m) => m.ms)), commands: last.commands, afterAuth: last.afterAuth, bytes: last.bytes, ...(last.refused ? { refused: last.refused } : {}) };
}

const caps: Cap[] = [
  ...fixtureNames().map(fixtureCap),
  // 63,201 bytes of LOAD data: 256 blocks of 247, the most LOAD can number.
  builtCap(63_000, "built 62 KB (256 blocks)"),
  // Beyond the limit: only the link (which loads inside the card) takes it.
  builtCap(96_000, "built 94 KB (390 blocks)"),
];

type Key = string;
const results = new Map<Key, Measure>();
const key = (cap: string, path: PathName, where: string) => `${cap}|${path}|${where}`;

// In-process: a fresh card per run (memory only).
for (const cap of caps) {
  for (const path of PATHS) {
    const runs: Measure[] = [];
    for (let i = 0; i < RUNS; i++) {
      const card = createWebCard({ link: needsLink(path), memoryBytes: MEMORY });
      runs.push(await once(path, inProcessTransport(card, { extendedLength: path !== "web-short" }), cap));
      card.close();
    }
    results.set(key(cap.name, path, "in-process"), summarise(runs));
  }
  process.stdout.write(`in-process: ${cap.name} done\n`);
}
const rssInProcess = peakRssMb();

// Through pcscd + vpcd: `webcard sim` processes on the two readers of a private pcscd.
let pcscd: PrivatePcscd | undefined;
const sims: SimProcess[] = [];
const dir = mkdtempSync(join(tmpdir(), "webcard-bench-load-"));
let concurrency: { parallel: number; sequential: number; commands: number; bytes: number } | undefined;
let pcscdNote = "";

async function connect(reader: string): Promise<ReaderConnection> {
  for (let i = 0; ; i++) {
    try {
      return await connectReader({ reader, timeoutMs: 20_000 });
    } catch (e) {
      if (i > 150) throw e;
      await Bun.sleep(100);
    }
  }
}

/** Delete the package (and its instances) so the next install starts from nothing. */
async function clean(t: Transport, cap: Cap): Promise<void> {
  const session = await openGpSession(t, KEYS());
  await deleteAid(session, cap.file.packageAid, { force: true }).catch(() => undefined);
}

if (process.env.WEBCARD_BENCH_ISOLATED === "1") {
  try {
    pcscd = await startPrivatePcscd();
    for (const [i, r] of pcscd.readers.entries()) {
      sims.push(await startSim(r.port, ["--state", join(dir, `card${i}.sqlite`), "--reset", "--memory", String(MEMORY)]));
    }
    const readers = pcscd.readers.map((r) => r.name);
    const conns = await Promise.all(readers.map(connect));
    const iso = conns.map((c) => withIsoResponses(c));
    // Two cards, two readers, one pcscd: the 22 KB fixture by GP on both, at once and one after the other.
    const algtest = caps.find((c) => c.name === ALGTEST)!;
    const par: number[] = [];
    const seq: number[] = [];
    let commands = 0;
    let bytes = 0;
    for (let i = 0; i < RUNS; i++) {
      await Promise.all(iso.map((t) => clean(t, algtest)));
      let t0 = performance.now();
      const both = await Promise.all(iso.map((t) => once("gp", t, algtest)));
      par.push(performance.now() - t0);
      commands = both.reduce((n, m) => n + m.commands, 0);
      bytes = both.reduce((n, m) => n + m.bytes, 0);
      await Promise.all(iso.map((t) => clean(t, algtest)));
      t0 = performance.now();
      for (const t of iso) await once("gp", t, algtest);
      seq.push(performance.now() - t0);
    }
    concurrency = { parallel: median(par), sequential: median(seq), commands, bytes };
    // Last: a failure here (see the notes on the vpcd frame limit) takes the reader down.
    let broken = "";
    for (const cap of caps) {
      for (const path of PATHS) {
        if (broken) continue;
        const runs: Measure[] = [];
        for (let i = 0; i < RUNS && !broken; i++) {
          try {
            await clean(iso[0]!, cap);
          } catch (e) {
            broken = `failed: ${(e as Error).message.slice(0, 60)}`;
            break;
          }
          const m = await once(path, iso[0]!, cap);
          runs.push(m);
          if (m.refused?.startsWith("failed")) broken = m.refused;
        }
        if (runs.length > 0) results.set(key(cap.name, path, "pcscd + vpcd"), summarise(runs));
      }
      process.stdout.write(`pcscd + vpcd: ${cap.name} done\n`);
    }
    if (broken) pcscdNote = `Through pcscd + vpcd the run stopped at: ${broken}`;
    for (const c of conns) await c.close();
  } catch (e) {
    pcscdNote = `The pcscd + vpcd part failed: ${(e as Error).message}`;
    process.stderr.write(`${pcscdNote}\n`);
  } finally {
    for (const s of sims) {
      s.proc.kill("SIGKILL");
      await s.proc.exited;
    }
    await pcscd?.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
} else {
  pcscdNote = "The pcscd + vpcd part was skipped: it needs root and unshare to run a private pcscd (tests/pcsc/isolated.ts).";
}
const rssPeak = peakRssMb();

const WHERE = ["in-process", "pcscd + vpcd"] as const;
const rows: (string | number)[][] = [];
for (const cap of caps) {
  for (const where of WHERE) {
    for (const path of PATHS) {
      const m = results.get(key(cap.name, path, where));
      if (!m) continue;
      rows.push([cap.name, cap.file.lfdb.length, path, where, m.refused ?? round1(m.ms), m.commands, m.refused ? "-" : m.afterAuth, m.bytes]);
    }
  }
}
if (concurrency) {
  rows.push([`${ALGTEST} on 2 cards`, fixtureCap(ALGTEST).file.lfdb.length * 2, "gp", "2 readers, at once", round1(concurrency.parallel), concurrency.commands, "-", concurrency.bytes]);
  rows.push([`${ALGTEST} on 2 cards`, fixtureCap(ALGTEST).file.lfdb.length * 2, "gp", "2 readers, one after the other", round1(concurrency.sequential), concurrency.commands, "-", concurrency.bytes]);
}

// Issue 6's figures for the 22 KB fixture (round trips after authentication).
const rt = (path: PathName) => results.get(key(ALGTEST, path, "in-process"))!.afterAuth;
const linkExtended = rt("web-extended");
const linkShort = rt("web-short");
const gp = rt("gp");
const overGp = Math.round(((linkShort - gp) / gp) * 1000) / 10;

const chartWhere = results.has(key(ALGTEST, "gp", "pcscd + vpcd")) ? "pcscd + vpcd" : "in-process";
const chart = {
  title: `Time per install by path and file (${chartWhere}, median)`,
  unit: "ms",
  series: PATHS.map((path) => ({
    label: path,
    values: caps
      .map((cap) => ({ cap, m: results.get(key(cap.name, path, chartWhere)) }))
      .filter(({ m }) => m && !m.refused)
      .map(({ cap, m }) => ({ label: cap.name.replace(/\.cap$/, ""), value: round1(m!.ms) })),
  })),
};

const notes = [
  `Web-card link, ${ALGTEST} (22 KB), round trips after authentication (issue 6): link with extended APDUs **${linkExtended}** (limit 12); link with short APDUs **${linkShort}** against **${gp}** for \`--via gp\` (${overGp >= 0 ? "+" : ""}${overGp}%, limit +10%).`,
  `Medians of ${RUNS} runs per row; "round trips" counts every APDU of the install (SELECT and authentication included) through a counting Transport wrapper, "after auth." only those after EXTERNAL AUTHENTICATE (EXCHANGE commands for web); "bytes on the wire" is command plus response bytes (APDU level, without the vpcd/pcscd framing).`,
  "Paths: gp = installViaGp (INSTALL [for load], LOAD blocks of 247 bytes under SCP03 C-MAC, INSTALL); bridge = installViaBridge (the card's web flow run on the terminal, orders as the same GP APDUs); web short / extended = installViaWeb over the link (SCP03 C-MAC), with short (255-byte) or extended-length EXCHANGE commands.",
  "gp and bridge run on a plain GlobalPlatform card (no link application), web on the card with the link. In-process: a fresh simulated card per run (SQLite in memory). Through pcscd + vpcd: one `webcard sim` process per reader (state on disk, 1 MiB card memory), the package deleted before each run, the PC/SC calls through src/host/pcsc (a worker per session).",
  "LOAD numbers its blocks with one byte, so gp and bridge refuse anything over 256 blocks before sending a LOAD; the link hands the whole file to the card, which loads it itself, so the 94 KB file goes through with short APDUs as well as with extended ones.",
  `${PYSIM} imports a SIM toolkit package the card lacks: every path refuses it (the row's time is until the refusal).`,
  `Two cards: the 22 KB fixture by \`--via gp\` onto both vpcd readers of one pcscd (one \`webcard sim\` each), with both installs started together (Promise.all over two reader sessions) against one after the other; time is the wall time of both.`,
  `Peak RSS of this process (getrusage maxRSS): ${rssInProcess} MB after the in-process part, ${rssPeak} MB at the end (the pcscd + vpcd part adds the PC/SC workers).`,
  "Through vpcd, `webcard sim` announces at most 65,526 bytes of command data and 65,533 of response on the link: one vpcd message carries 65,535 bytes in all (src/card/vpcd-link.ts VPCD_MAX_COMMAND_DATA), so the 94 KB file goes in two EXCHANGE commands of at most that size.",
  ...(pcscdNote ? [pcscdNote] : []),
];

const path = writeResult("load", {
  title: "Install: time, round trips and bytes by path",
  command: COMMAND,
  date: new Date().toISOString(),
  machine: machine(),
  columns: ["file", "LFDB bytes", "path", "where", "median ms", "round trips", "after auth.", "bytes on the wire"],
  rows,
  notes,
  chart,
});
process.stdout.write(`${notes[0]}\npeak RSS ${rssPeak} MB\nwrote ${path}\n`);
process.exit(0);
