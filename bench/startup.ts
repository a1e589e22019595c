/**
 * Start-up time: wall time from spawn to exit of `webcard --version` and
 * `--help`, for the compiled executable (built here by scripts/build.ts for
 * this machine, run alone from an empty folder) and for `bun src/cli.ts`.
 * Commands run round-robin after a warm-up, so drift hits all alike.
 *
 *   bun bench/startup.ts [--runs 30] [--bin path/to/webcard]
 */
import { rmSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { buildHostBinary, cleanEnv } from "../scripts/build/host-binary.ts";
import { machine, writeResult, type BenchResult } from "./report.ts";

const ROOT = resolve(import.meta.dir, "..");
const WARMUP = 3;

const { values: args } = parseArgs({
  options: { runs: { type: "string", default: "30" }, bin: { type: "string" } },
  strict: true,
});
const runs = Number(args.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, got '${args.runs}'`);

interface Case {
  label: string;
  group: string;
  flag: string;
  cmd: string[];
  cwd: string;
  env: Record<string, string>;
  ms: number[];
  rssMb: number[];
}

/** Milliseconds to microsecond precision: what the clock can tell. */
function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

const built = args.bin ? undefined : buildHostBinary();
const bin = args.bin ? resolve(args.bin) : built!.bin;
const home = built?.home ?? dirname(bin);
const env = cleanEnv(home);
const compiled = "compiled binary";
const source = "bun src/cli.ts";
const cases: Case[] = [];
for (const flag of ["--version", "--help"]) {
  cases.push({ label: `webcard ${flag}`, group: compiled, flag, cmd: [bin, flag], cwd: dirname(bin), env, ms: [], rssMb: [] });
  cases.push({
    label: `bun src/cli.ts ${flag}`,
    group: source,
    flag,
    cmd: [process.execPath, join(ROOT, "src", "cli.ts"), flag],
    cwd: ROOT,
    env: { ...env, PATH: process.env.PATH ?? env.PATH! },
    ms: [],
    rssMb: [],
  });
}

for (let i = 0; i < WARMUP + runs; i++) {
  for (const c of cases) {
    const t0 = performance.now();
    const r = Bun.spawnSync(c.cmd, { cwd: c.cwd, env: c.env, stdout: "pipe", stderr: "pipe" });
    const ms = performance.now() - t0;
    if (r.exitCode !== 0) throw new Error(`${c.label} exited ${r.exitCode}: ${r.stderr.toString().trim()}`);
    if (i < WARMUP) continue;
    c.ms.push(ms);
    c.rssMb.push(r.resourceUsage.maxRSS / 1024 / 1024);
  }
}

const version = Bun.spawnSync([bin, "--version"], { env, stdout: "pipe" }).stdout.toString().trim();
const size = statSync(bin).size / 1024 / 1024;
const result: BenchResult = {
  title: "Start-up time",
  command: `bun bench/startup.ts --runs ${runs}${args.bin ? ` --bin ${args.bin}` : ""}`,
  date: new Date().toISOString(),
  machine: machine(),
  columns: ["command", "median ms", "p10 ms", "p90 ms", "max RSS MB", "runs"],
  rows: cases.map((c) => [c.label, round(median(c.ms)), round(quantile(c.ms, 0.1)), round(quantile(c.ms, 0.9)), round(median(c.rssMb)), c.ms.length]),
  notes: [
    `Wall time from spawn to exit, measured by the parent process; ${WARMUP} warm-up runs each are not counted.`,
    `Compiled binary: ${version}, ${size.toFixed(1)} MB, built by scripts/build.ts for this machine, run alone from an empty folder with a minimal environment.`,
    "`--version` and `--help` import no PC/SC binding and no web server (checked by tests/build/startup-graph.test.ts and, with strace, by tests/build/smoke.test.ts).",
  ],
  chart: {
    title: "Start-up time (median)",
    unit: "milliseconds",
    series: ["--version", "--help"].map((flag) => ({
      label: `webcard ${flag}`,
      values: cases.filter((c) => c.flag === flag).map((c) => ({ label: c.group, value: round(median(c.ms)) })),
    })),
  },
};
const path = writeResult("startup", result);
if (built) rmSync(dirname(built.dir), { recursive: true, force: true });

for (const row of result.rows) process.stdout.write(`${String(row[0]).padEnd(28)} median ${Number(row[1]).toFixed(1)} ms\n`);
process.stdout.write(`wrote ${path.slice(ROOT.length + 1)}\n`);
