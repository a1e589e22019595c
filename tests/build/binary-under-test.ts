/**
 * A compiled webcard executable alone in its folder, and how to run it here
 * (natively, or under QEMU for the other Linux architecture), for the smoke
 * tests: run a command, start a long-running one, read its --help, and put
 * `webcard sim` on a claimed vpcd reader around a test body.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { cleanEnv, type HostBinary } from "../../scripts/build/host-binary.ts";
import type { Runner } from "../../scripts/build/emulation.ts";
import { claimReader } from "../harness/pcscd.ts";

export interface Subject {
  readonly built: HostBinary;
  readonly runner: Runner;
}

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The command line that runs the executable with `args`. */
export function argv(s: Subject, args: readonly string[]): string[] {
  return [...s.runner.prefix, s.built.bin, ...args];
}

/** Run the executable from its folder with a minimal environment. */
export function run(s: Subject, args: readonly string[], timeout = 60_000): Ran {
  const r = Bun.spawnSync(argv(s, args), { cwd: s.built.dir, env: cleanEnv(s.built.home), stdout: "pipe", stderr: "pipe", timeout });
  return { code: r.exitCode, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

/** Start a long-running command with its output in files (an unread pipe could fill up and stall it). */
export function start(s: Subject, args: readonly string[], log: string) {
  return Bun.spawn(argv(s, args), {
    cwd: s.built.dir,
    env: cleanEnv(s.built.home),
    stdout: Bun.file(log),
    stderr: Bun.file(`${log}.err`),
  });
}

/** Stop a child by its PID: SIGTERM, SIGKILL after 5 s. */
export async function stop(proc: Pick<Bun.Subprocess, "kill" | "exited">): Promise<void> {
  proc.kill("SIGTERM");
  const gone = await Promise.race([proc.exited.then(() => true), Bun.sleep(5000).then(() => false)]);
  if (!gone) proc.kill("SIGKILL");
  await proc.exited;
}

/** Command names listed under "Commands:" in a --help text. */
export function commandsIn(help: string): Set<string> {
  return new Set([...help.matchAll(/^ {2}([a-z][\w-]*)\b/gm)].map((m) => m[1]!));
}

/** Whether the executable's `readers --json` shows a card in `name`. */
export function cardIn(s: Subject, name: string): boolean {
  const r = run(s, ["readers", "--json"], 10_000);
  if (r.code !== 0) return false;
  try {
    const list = JSON.parse(r.stdout) as { name: string; cardPresent: boolean }[];
    return list.some((x) => x.name === name && x.cardPresent);
  } catch {
    return false;
  }
}

/** scriptor (pcsc-tools): a peer PC/SC client that sends APDUs read from stdin. */
export const scriptor = ["/usr/bin/scriptor", "/usr/local/bin/scriptor"].find((p) => existsSync(p));

/** Whether a peer PC/SC tool gets 9000 for SELECT of the ISD in `name`. */
export function peerSelects(name: string): { ok: boolean; answer: string } {
  const r = Bun.spawnSync([scriptor!, "-r", name], {
    stdin: new TextEncoder().encode("00A4040008A000000151000000\n"),
    stdout: "pipe",
    stderr: "pipe",
    timeout: 10_000,
  });
  const answer = r.stdout.toString() + r.stderr.toString();
  return { ok: /^< [\s\S]*90 00 : Normal processing/m.test(answer), answer };
}

/** How many sims this process started: each gets its own state file. */
let sims = 0;

/**
 * Start `webcard sim` (from `sim`) on a claimed vpcd reader and wait until
 * `ready` says the card is there; run `body`; stop the sim by PID and free
 * the readers. A vpcd port whose pcscd side is stuck never gets the card:
 * that reader stays claimed (so it is not handed out again) and the next
 * one is tried.
 */
export async function withSim(
  sim: Subject,
  ready: (name: string) => boolean,
  body: (reader: { name: string; port: number }) => Promise<void>,
): Promise<void> {
  const claimed: { release(): void }[] = [];
  const tried: string[] = [];
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      const reader = await claimReader();
      claimed.push(reader);
      // A fresh card each time: its own state file, so no run finds another's packages.
      const name = `sim-${reader.port}-${++sims}`;
      const log = join(sim.built.home, `${name}.log`);
      const proc = start(sim, ["sim", "--vpcd", `127.0.0.1:${reader.port}`, "--state", join(sim.built.home, `${name}.sqlite`)], log);
      try {
        const end = Date.now() + 15_000;
        let up = false;
        while (!(up = ready(reader.name)) && Date.now() < end && proc.exitCode === null) await Bun.sleep(250);
        if (up) return await body(reader);
        const said = [log, `${log}.err`].filter((f) => existsSync(f)).map((f) => readFileSync(f, "utf8").trim()).filter(Boolean).join(" ").slice(-300);
        tried.push(`${reader.name} (sim ${proc.exitCode === null ? "running" : `exited ${proc.exitCode}`}${said ? `: ${said}` : ""})`);
      } finally {
        await stop(proc);
        // vpcd notices a card gone only at its next poll (~400 ms); until then
        // pcscd still shows it. Leave the reader empty for whoever is next.
        const end = Date.now() + 5_000;
        while (cardIn(sim, reader.name) && Date.now() < end) await Bun.sleep(200);
      }
    }
    throw new Error(`The simulated card never appeared in ${tried.join(", ")}`);
  } finally {
    for (const r of claimed) r.release();
  }
}
