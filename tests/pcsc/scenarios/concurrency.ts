/**
 * Other PC/SC clients against webcard's installs (run isolated: a private
 * pcscd, see tests/pcsc/isolated.ts). A `webcard sim` sits in reader 0.
 *
 * 1. Resets by another program, with our ReaderSession: after our session
 *    has talked to the card a reset fails the next transaction as "reset by
 *    another program during install"; before it has, the reset is taken in
 *    stride. A reset asked for while our transaction runs waits for its end.
 * 2. A pyscard poller (connect, SELECT, INITIALIZE UPDATE, GET STATUS,
 *    disconnect with a reset) runs in a loop while `webcard install --via
 *    gp|bridge|web --force` runs ROUNDS times each.
 * Usage: bun concurrency.ts PYTHON CAP ROUNDS. Prints one JSON object last.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fromHex } from "../../../src/stack/bytes.ts";
import { ReaderSession } from "../../../src/host/pcsc/connect.ts";
import { startSim } from "../../card/sim-process.ts";
import { BUN, ROOT } from "../isolated.ts";
import { failureOf, scenario } from "./run.ts";

const CLI = join(ROOT, "src/cli.ts");
const POLLER = join(ROOT, "tests/pcsc/pyscard-poller.py");
const SELECT_ISD = fromHex("00A4040008A000000151000000");

const [python, cap, roundsText] = process.argv.slice(2) as [string, string, string];
const rounds = Number(roundsText);

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env };
  delete env.WEBCARD_KEY;
  delete env.GP_KEY;
  const p = Bun.spawn(argv, { env, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { code, stdout, stderr };
}

/** The pyscard poller: its rounds so far ("ok" or "error ..."), and a stop that waits for it. */
function startPoller(reader: string) {
  const proc = Bun.spawn([python, POLLER, "poll", reader], { stdout: "pipe", stderr: "pipe" });
  const lines: string[] = [];
  const reading = (async () => {
    let rest = "";
    for await (const chunk of proc.stdout as unknown as AsyncIterable<Uint8Array>) {
      rest += new TextDecoder().decode(chunk);
      const parts = rest.split("\n");
      rest = parts.pop() ?? "";
      lines.push(...parts);
    }
  })();
  return {
    lines,
    async stop(): Promise<string> {
      proc.kill("SIGTERM");
      await proc.exited;
      await reading;
      return new Response(proc.stderr).text();
    },
  };
}

/** Resets by another program seen through our own session. */
async function resets(reader: string) {
  const resetByOther = () => run([python, POLLER, "reset", reader]);
  const inSession = async (fn: (s: ReaderSession) => Promise<unknown>) => {
    const s = new ReaderSession(reader, 10_000);
    await s.open();
    try {
      return await fn(s);
    } finally {
      await s.close();
    }
  };
  const select = (s: ReaderSession) => s.transaction("install", () => s.transmit(SELECT_ISD));
  // After our session has talked to the card: the reset is the work's end, said as such; the session goes on after it.
  const afterExchange = await inSession(async (s) => {
    await s.transmit(SELECT_ISD);
    const other = await resetByOther();
    const failure = await failureOf(select(s));
    const next = await failureOf(select(s));
    return { other: other.stdout.trim(), failure, next };
  });
  // Before it has: nothing of ours was on the card, the transaction begins as if nothing happened.
  const beforeExchange = await inSession(async (s) => {
    const other = await resetByOther();
    return { other: other.stdout.trim(), failure: await failureOf(select(s)) };
  });
  // A reset asked for during our transaction waits for its end: the other program is
  // connected, is told to go once our transaction has begun, and its SELECT and reset
  // wait; every command of ours still answers 9000 (a reset among them would fail the next).
  const duringTransaction = await inSession(async (s) => {
    const other = Bun.spawn([python, POLLER, "reset", reader], { stdin: "pipe", stdout: "pipe", stderr: "pipe" });
    const lines = other.stdout.getReader();
    let buffered = "";
    const nextLine = async (): Promise<string> => {
      const deadline = Date.now() + 10_000;
      while (!buffered.includes("\n") && Date.now() < deadline) {
        const r = await Promise.race([lines.read(), Bun.sleep(deadline - Date.now()).then(() => ({ done: true, value: undefined }))]);
        if (r.done) break;
        buffered += new TextDecoder().decode(r.value);
      }
      const end = buffered.indexOf("\n");
      const line = end < 0 ? buffered : buffered.slice(0, end);
      buffered = end < 0 ? "" : buffered.slice(end + 1);
      return line.trim();
    };
    if ((await nextLine()) !== "connected") {
      other.kill();
      throw new Error(`the other client did not connect: ${await new Response(other.stderr).text()}`);
    }
    const { sws, waiting } = await s.transaction("install", async () => {
      const out: string[] = [];
      const select = async () => out.push(Buffer.from((await s.transmit(SELECT_ISD)).subarray(-2)).toString("hex"));
      await select();
      other.stdin.write("go\n");
      await other.stdin.flush();
      const selecting = await nextLine(); // the other program is about to send its SELECT
      for (let i = 0; i < 9; i++) {
        await Bun.sleep(20);
        await select();
      }
      return { sws: out, waiting: selecting === "selecting" && other.exitCode === null };
    });
    let rest = buffered;
    for (let chunk = await lines.read(); !chunk.done; chunk = await lines.read()) rest += new TextDecoder().decode(chunk.value);
    await other.exited;
    return { sws, waiting, other: rest.trim() };
  });
  return { afterExchange, beforeExchange, duringTransaction };
}

await scenario(async (pcscd) => {
  const reader = pcscd.readers[0]!;
  const dir = mkdtempSync(join(tmpdir(), "webcard-concurrency-"));
  const sim = await startSim(reader.port, ["--state", join(dir, "card.sqlite"), "--reset"]);
  try {
    let ready = false;
    for (let i = 0; i < 100 && !ready; i++) {
      ready = (await run([BUN, CLI, "info", "-r", reader.name])).code === 0;
      if (!ready) await Bun.sleep(100);
    }
    const resetResults = await resets(reader.name);
    const poller = startPoller(reader.name);
    const installs: { via: string; code: number; stderr: string; installed: string[]; pollerRounds: number }[] = [];
    for (const via of ["gp", "bridge", "web"]) {
      for (let i = 0; i < rounds; i++) {
        const before = poller.lines.length;
        const r = await run([BUN, CLI, "install", cap, "--via", via, "--force", "-r", reader.name, "--json"]);
        let installed: string[] = [];
        try {
          const out = JSON.parse(r.stdout) as { installed?: ({ instance: string } | string)[] };
          installed = (out.installed ?? []).map((x) => (typeof x === "string" ? x : x.instance));
        } catch {
          // not JSON: the stderr line says why
        }
        installs.push({ via, code: r.code, stderr: r.stderr.trim(), installed, pollerRounds: poller.lines.length - before });
      }
    }
    const pollerStderr = await poller.stop();
    const errors = poller.lines.filter((l) => l !== "ok");
    const listed = await run([BUN, CLI, "list", "-r", reader.name, "--json"]);
    return {
      ready,
      resets: resetResults,
      installs,
      poller: { rounds: poller.lines.length, ok: poller.lines.length - errors.length, errors: errors.slice(0, 10), stderr: pollerStderr.slice(0, 2000) },
      listed: JSON.parse(listed.stdout) as unknown,
      simStderr: sim.stderr().slice(0, 2000),
    };
  } finally {
    sim.proc.kill();
    await sim.proc.exited;
    rmSync(dir, { recursive: true, force: true });
  }
});
