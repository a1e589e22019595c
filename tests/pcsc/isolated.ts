/**
 * A private pcscd with one vpcd device, for the PC/SC integration tests.
 *
 * Why not the shared pcscd of tests/harness/pcscd.ts: these scenarios stop
 * and kill cards, stop pcscd itself and need the readers' exact states, while
 * other test processes use the shared one at the same time. A private pcscd
 * carries one vpcd device (two readers, ports 35963 and 35964): the vpcd
 * driver (vsmartcard 3.3) keeps one context per slot number for the whole
 * pcscd, so with several devices their reader threads poll one socket, their
 * GET ATR exchanges interleave and vpcd hangs (seen with strace).
 *
 * The libpcsclite client always uses /run/pcscd/pcscd.comm, so a private
 * pcscd needs a private mount namespace (a tmpfs over /run/pcscd) and, so its
 * TCP ports cannot clash with anyone's, a private network namespace. Scenario
 * scripts run inside `unshare --mount --net`; the shared pcscd is never
 * touched. Everything started inside is stopped by PID.
 */
import { existsSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { pcscUsable } from "../harness/pcscd.ts";
import { PCSCD_SOCKET, PRIVATE_READERS, launchPcscd, stopProcess, vpcdConfigDir } from "../harness/private-pcscd.ts";

export const ROOT = resolve(import.meta.dir, "../..");
export const BUN = process.execPath;


function canIsolate(): boolean {
  if (!pcscUsable || process.platform !== "linux") return false;
  try {
    const r = Bun.spawnSync(["unshare", "--mount", "--net", "--pid", "--fork", "--kill-child", "true"], { stdout: "ignore", stderr: "ignore" });
    return r.exitCode === 0;
  } catch {
    return false;
  }
}

/** True when scenarios can run in a private mount + network namespace (root, unshare, pcscd, vpcd). */
export const isolationUsable = canIsolate();

/** The shell prelude that gives a namespace its own /run/pcscd and loopback. */
const PRELUDE = "ip link set lo up && mkdir -p /run/pcscd && mount -t tmpfs tmpfs /run/pcscd && exec \"$@\"";

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The argv that runs `command` in fresh mount, network and PID namespaces;
 * when it ends (or is killed) the kernel ends everything started inside.
 */
export function isolatedArgv(command: string[]): string[] {
  return ["unshare", "--mount", "--net", "--pid", "--fork", "--kill-child", "sh", "-c", PRELUDE, "sh", ...command];
}

/** Run a command inside fresh namespaces (isolatedArgv); kill it (by PID) after `timeoutMs`. */
export async function runIsolated(command: string[], timeoutMs = 60_000, env: Record<string, string> = {}): Promise<RunResult> {
  const proc = Bun.spawn(isolatedArgv(command), {
    cwd: ROOT,
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, ...env },
  });
  const timer = setTimeout(() => proc.kill("SIGKILL"), timeoutMs);
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/** Run a scenario script (tests/pcsc/scenarios/<name>.ts) isolated; it prints one JSON object last. */
export async function runScenario<T>(name: string, timeoutMs = 60_000): Promise<T> {
  const r = await runIsolated([BUN, join(ROOT, "tests/pcsc/scenarios", `${name}.ts`)], timeoutMs);
  const last = r.stdout.trim().split("\n").pop() ?? "";
  try {
    return JSON.parse(last) as T;
  } catch {
    throw new Error(`scenario ${name} exited ${r.code} without a result:\n${r.stdout}\n${r.stderr}`);
  }
}

/** A running private pcscd: its two vpcd readers and card ports. */
export interface PrivatePcscd {
  readers: { name: string; port: number }[];
  stop(): Promise<void>;
}

/** Inside a namespace: start pcscd with one vpcd device (ports 35963, 35964) and wait for its readers. */
export async function startPrivatePcscd(): Promise<PrivatePcscd> {
  if (existsSync(PCSCD_SOCKET)) throw new Error("a pcscd socket exists: run this inside runIsolated()");
  const dir = vpcdConfigDir();
  const proc = await launchPcscd(dir);
  return {
    readers: PRIVATE_READERS.map((r) => ({ ...r })),
    async stop() {
      await stopProcess(proc);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Start the echo card in a child process on `port`; resolves once it is attached. */
export async function startCardProcess(port: number, atrHex: string): Promise<ReturnType<typeof Bun.spawn>> {
  const child = Bun.spawn([BUN, join(ROOT, "tests/pcsc/card-process.ts"), String(port), atrHex], {
    cwd: ROOT,
    stdout: "pipe",
    stderr: "inherit",
  });
  const reader = (child.stdout as ReadableStream<Uint8Array>).getReader();
  const first = await Promise.race([reader.read(), Bun.sleep(10_000).then(() => undefined)]);
  reader.releaseLock();
  if (!first || first.done || !new TextDecoder().decode(first.value).includes("ready")) {
    child.kill("SIGKILL");
    throw new Error("card process did not attach");
  }
  return child;
}
