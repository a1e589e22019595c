/**
 * PC/SC round trip: the median time of 1,000 short APDUs and of 100 extended
 * APDUs (4 KB of data each way) through pcscd + vpcd to the echo card in a
 * process of its own, webcard (bun:ffi, one worker per session, shared
 * memory) against a C program built with gcc in the same run.
 *
 *   bun bench/transmit.ts        (root: runs itself in private namespaces
 *                                 with its own pcscd, see tests/pcsc/isolated.ts)
 *
 * Writes bench/results/transmit.json.
 */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { cpus, release, tmpdir } from "node:os";
import { join } from "node:path";
import { connectReader } from "../src/host/pcsc/connect.ts";
import { toHex } from "../src/stack/bytes.ts";
import { ECHO_ATR, INS } from "../tests/pcsc/echo-card.ts";
import { ROOT, isolatedArgv, startCardProcess, startPrivatePcscd } from "../tests/pcsc/isolated.ts";

const SHORT_COUNT = 1000;
const EXTENDED_COUNT = 100;
const EXTENDED_BYTES = 4096;
const ROUNDS = 5;
const WARMUP = 50;

if (process.env.WEBCARD_BENCH_ISOLATED !== "1") {
  const child = Bun.spawn(isolatedArgv([process.execPath, import.meta.path, ...process.argv.slice(2)]), {
    cwd: ROOT,
    env: { ...process.env, WEBCARD_BENCH_ISOLATED: "1" },
    stdio: ["inherit", "inherit", "inherit"],
  });
  process.exit(await child.exited);
}

const SHORT = new Uint8Array([0x80, INS.ECHO, 0x00, 0x00, 0x04, 0x01, 0x02, 0x03, 0x04]);
const EXTENDED = new Uint8Array(7 + EXTENDED_BYTES + 2);
EXTENDED.set([0x80, INS.ECHO, 0x00, 0x00, 0x00, EXTENDED_BYTES >> 8, EXTENDED_BYTES & 0xff]);
for (let i = 0; i < EXTENDED_BYTES; i++) EXTENDED[7 + i] = i & 0xff;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

function compileBaseline(dir: string): string {
  const exe = join(dir, "transmit");
  const cc = Bun.spawnSync(["gcc", "-O2", "-I/usr/include/PCSC", "-o", exe, join(ROOT, "bench/c/transmit.c"), "-lpcsclite"], { stderr: "pipe" });
  if (cc.exitCode !== 0) throw new Error(`gcc failed (install gcc and libpcsclite-dev): ${cc.stderr.toString()}`);
  return exe;
}

async function ours(reader: string, short: number[], extended: number[]): Promise<void> {
  const conn = await connectReader({ reader });
  try {
    for (let i = 0; i < WARMUP; i++) await conn.transmit(SHORT);
    for (let i = 0; i < SHORT_COUNT; i++) {
      const t0 = performance.now();
      const r = await conn.transmit(SHORT);
      short.push((performance.now() - t0) * 1000);
      if (r[r.length - 2] !== 0x90) throw new Error(`unexpected response ${toHex(r)}`);
    }
    for (let i = 0; i < EXTENDED_COUNT; i++) {
      const t0 = performance.now();
      const r = await conn.transmit(EXTENDED);
      extended.push((performance.now() - t0) * 1000);
      if (r.length !== EXTENDED_BYTES + 2) throw new Error(`unexpected response of ${r.length} bytes`);
    }
  } finally {
    await conn.close();
  }
}

async function baseline(exe: string, reader: string, short: number[], extended: number[]): Promise<void> {
  const p = Bun.spawn([exe, reader, String(SHORT_COUNT + WARMUP), String(EXTENDED_COUNT), String(EXTENDED_BYTES)], { stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  if (code !== 0) throw new Error(`C baseline failed: ${err}`);
  for (const line of out.trim().split("\n")) {
    const [label, ...times] = line.split(" ");
    const values = times.map(Number);
    if (label === "short") short.push(...values.slice(WARMUP));
    if (label === "extended") extended.push(...values);
  }
}

const pcscd = await startPrivatePcscd();
const dir = mkdtempSync(join(tmpdir(), "webcard-bench-"));
const [{ name: reader, port }] = pcscd.readers as [{ name: string; port: number }];
const card = await startCardProcess(port, toHex(ECHO_ATR));
try {
  const exe = compileBaseline(dir);
  for (let i = 0; i < 100; i++) {
    if (await connectReader({ reader }).then((c) => c.close().then(() => true), () => false)) break;
    await Bun.sleep(100);
  }
  const samples = { ours: { short: [] as number[], extended: [] as number[] }, c: { short: [] as number[], extended: [] as number[] } };
  // Interleave the two so drift in the machine's load hits both alike.
  for (let round = 0; round < ROUNDS; round++) {
    await ours(reader, samples.ours.short, samples.ours.extended);
    await baseline(exe, reader, samples.c.short, samples.c.extended);
  }
  const row = (label: string, count: number, a: number[], b: number[]) => {
    const ma = median(a);
    const mb = median(b);
    return [label, count, Math.round(ma * 10) / 10, Math.round(mb * 10) / 10, Math.round((ma / mb) * 100) / 100, Math.round(percentile(a, 90) * 10) / 10, Math.round(percentile(b, 90) * 10) / 10];
  };
  const rows = [
    row("short (ECHO 4 bytes)", SHORT_COUNT, samples.ours.short, samples.c.short),
    row(`extended (ECHO ${EXTENDED_BYTES} bytes)`, EXTENDED_COUNT, samples.ours.extended, samples.c.extended),
  ];
  const cpu = cpus();
  const result = {
    title: "PC/SC round trip through pcscd + vpcd: webcard vs C",
    command: "bun bench/transmit.ts",
    date: new Date().toISOString(),
    machine: `${cpu[0]?.model ?? "unknown CPU"} x ${cpu.length}, Linux ${release()}, Bun ${Bun.version}`,
    columns: ["APDU", "count per round", "webcard median (µs)", "C median (µs)", "webcard / C", "webcard p90 (µs)", "C p90 (µs)"],
    rows,
    notes: [
      `${ROUNDS} interleaved rounds of each, after ${WARMUP} warm-up APDUs; medians and 90th percentiles over all rounds.`,
      "webcard: connectReader() from src/host/pcsc, SCardTransmit in the session's worker thread, request and response through shared memory; the main thread looks at the state word once per event-loop turn for up to 2 ms, then sleeps on it (Atomics.waitAsync alone costs tens of microseconds per wake-up here). Timed around transmit() on the main thread.",
      "While waiting, webcard's main thread keeps turning its event loop, so its core does not go idle; the C client sleeps in recv(). On this 2-vCPU VM that wake-up latency can make webcard the faster of the two.",
      "C: bench/c/transmit.c built with gcc -O2 against libpcsclite in the same run, timed around SCardTransmit.",
      "Both talk to the same private pcscd (one vpcd device) and the same echo card process (tests/pcsc/card-process.ts) with TCP_QUICKACK re-armed after every read; no CPU pinning.",
    ],
  };
  mkdirSync(join(ROOT, "bench/results"), { recursive: true });
  writeFileSync(join(ROOT, "bench/results/transmit.json"), JSON.stringify(result, null, 2) + "\n");
  for (const r of rows) console.log(`${r[0]}: webcard ${r[2]} µs, C ${r[3]} µs, ratio ${r[4]}`);
} finally {
  card.kill("SIGKILL");
  await card.exited;
  await pcscd.stop();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
