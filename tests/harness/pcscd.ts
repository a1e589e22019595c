/**
 * Test harness for the real PC/SC stack: pcscd with vpcd virtual readers.
 *
 * - `pcscUsable` is decided synchronously at import (for `test.if`): the
 *   pcscd binary, libpcsclite and the vpcd driver are installed.
 * - `ensurePcscd()` reuses a running pcscd or starts `pcscd --foreground`
 *   (the stock vpcd configuration: two readers, ports 35963 and 35964), and
 *   the preload stops the one it started, by PID, after the last test.
 * - `claimReader()` hands out a vpcd reader no other test process holds
 *   (lock files in the temp folder, freed when the holder's PID is gone).
 * - With CI=true a missing or broken pcscd is a failure, never a skip.
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync, readFileSync, rmSync, openSync, closeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const CI = process.env.CI === "true" || process.env.CI === "1";

const SOCKET = "/run/pcscd/pcscd.comm";
/** Where Debian and others put the vpcd driver. */
export const VPCD_DRIVER_CANDIDATES = [
  "/usr/lib/pcsc/drivers/serial/libifdvpcd.so",
  "/usr/lib64/pcsc/drivers/serial/libifdvpcd.so",
  "/usr/local/lib/pcsc/drivers/serial/libifdvpcd.so",
];
const LIB_CANDIDATES = [
  "/usr/lib/x86_64-linux-gnu/libpcsclite.so.1",
  "/usr/lib/aarch64-linux-gnu/libpcsclite.so.1",
  "/usr/lib/libpcsclite.so.1",
  "/usr/lib64/libpcsclite.so.1",
];

function which(bin: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(":").concat(["/usr/sbin", "/sbin"])) {
    const p = join(dir, bin);
    if (dir && existsSync(p)) return p;
  }
  return undefined;
}

const pcscdPath = which("pcscd");
const vpcdDriver = VPCD_DRIVER_CANDIDATES.find((p) => existsSync(p));
const libPath = LIB_CANDIDATES.find((p) => existsSync(p));

/** Why PC/SC tests cannot run here, or undefined when they can. */
export const pcscMissing: string | undefined =
  process.platform !== "linux"
    ? "PC/SC integration tests run on Linux only"
    : !pcscdPath
      ? "pcscd is not installed (apt-get install pcscd)"
      : !libPath
        ? "libpcsclite1 is not installed"
        : !vpcdDriver
          ? "the vpcd driver is not installed (apt-get install vsmartcard-vpcd)"
          : undefined;

/** True when pcscd and vpcd are installed, so PC/SC tests can run. */
export const pcscUsable = pcscMissing === undefined;

export interface VpcdReader {
  /** The PC/SC reader name. */
  name: string;
  /** The TCP port a card connects to (on 127.0.0.1). */
  port: number;
}

let started: ReturnType<typeof Bun.spawn> | undefined;
let readers: VpcdReader[] | undefined;

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function listReaderNames(): string[] {
  const r = Bun.spawnSync(["pcsc_scan", "-r"], { stdout: "pipe", stderr: "pipe", timeout: 10_000 });
  const text = r.stdout.toString();
  return text
    .split("\n")
    .map((l) => /^\d+: (.*)$/.exec(l.trim())?.[1])
    .filter((n): n is string => n !== undefined);
}

/** vpcd reader names to ports: "Virtual PCD 00 01" -> 35964; "Virtual PCD 35970 00 01" -> 35971. */
export function vpcdPortOf(name: string): number | undefined {
  const own = /^Virtual PCD (\d{4,5}) 00 0(\d)$/.exec(name);
  if (own) return Number(own[1]) + Number(own[2]);
  const stock = /^Virtual PCD 00 0(\d)$/.exec(name);
  if (stock) return 35963 + Number(stock[1]);
  return undefined;
}

async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`Timed out after ${ms} ms waiting for ${what}`);
    await Bun.sleep(50);
  }
}

/**
 * Stop the pcscd this process started (by PID) and wait until it has exited:
 * pcscd removes its socket at once but takes 1.6-4 s to go.
 */
export async function stopStarted(): Promise<void> {
  const proc = started;
  if (!proc) return;
  started = undefined;
  proc.kill("SIGTERM");
  const exited = await Promise.race([proc.exited.then(() => true), Bun.sleep(8000).then(() => false)]);
  if (!exited) {
    proc.kill("SIGKILL");
    await proc.exited;
  }
}

// Last resort if the run ends without the afterAll hook: signal only.
process.on("exit", () => started?.kill("SIGTERM"));

/**
 * Make sure a pcscd with vpcd readers is running; returns its vpcd readers.
 * Throws with the reason when PC/SC is not usable.
 */
export async function ensurePcscd(): Promise<VpcdReader[]> {
  if (readers) return readers;
  if (!pcscUsable) throw new Error(`PC/SC not usable: ${pcscMissing}`);
  if (!existsSync(SOCKET)) {
    // Debian's vpcd driver keeps one connection per slot number across all
    // DEVICENAME entries of a pcscd (several devices end up reading the same
    // socket and wedge), so one device, two readers, is all a pcscd can carry.
    // That is the stock /etc/reader.conf.d/vpcd: ports 35963 and 35964.
    const dir = mkdtempSync(join(tmpdir(), "webcard-pcscd-"));
    const log = Bun.file(join(dir, "pcscd.log"));
    const proc = Bun.spawn([pcscdPath!, "--foreground"], { stdout: log, stderr: log, stdin: "ignore" });
    started = proc;
    proc.unref();
    await waitFor(() => existsSync(SOCKET) || proc.exitCode !== null, 10_000, "pcscd to create its socket");
    if (proc.exitCode !== null) throw new Error(`pcscd exited at start; see ${join(dir, "pcscd.log")}`);
  }
  let names: string[] = [];
  await waitFor(
    () => {
      names = listReaderNames();
      return names.length > 0;
    },
    10_000,
    "pcscd to list its vpcd readers",
  );
  readers = names
    .map((name) => ({ name, port: vpcdPortOf(name) }))
    .filter((r): r is VpcdReader => r.port !== undefined);
  if (readers.length === 0) throw new Error(`pcscd lists no vpcd readers (found: ${names.join(", ")})`);
  return readers;
}

const LOCK_DIR = join(tmpdir(), "webcard-vpcd-locks");
const held = new Set<string>();

/** Claim a vpcd reader that no other live test process holds. */
export async function claimReader(): Promise<VpcdReader & { release(): void }> {
  const all = await ensurePcscd();
  mkdirSync(LOCK_DIR, { recursive: true });
  const end = Date.now() + 60_000;
  for (;;) {
    for (const r of all) {
      const lock = join(LOCK_DIR, String(r.port));
      if (existsSync(lock)) {
        const owner = Number(readFileSync(lock, "utf8"));
        if (owner && pidAlive(owner)) continue;
        rmSync(lock, { force: true });
      }
      try {
        const fd = openSync(lock, "wx");
        writeFileSync(fd, String(process.pid));
        closeSync(fd);
      } catch {
        continue;
      }
      held.add(lock);
      return {
        ...r,
        release() {
          held.delete(lock);
          rmSync(lock, { force: true });
        },
      };
    }
    if (Date.now() > end) throw new Error("No free vpcd reader within 60 s");
    await Bun.sleep(200);
  }
}

/** Free every reader lock this process holds. */
export function releaseAll(): void {
  for (const lock of held) rmSync(lock, { force: true });
  held.clear();
}

process.on("exit", releaseAll);
