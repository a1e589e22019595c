/**
 * A pcscd of a test's own, for tests that break pcscd or its readers. Run it
 * only inside a private mount namespace (tests/pcsc/isolated.ts runIsolated):
 * the client socket /run/pcscd/pcscd.comm is fixed. One vpcd device, so two
 * readers on ports 35963/35964 (a pcscd cannot carry more: docs/architecture.md).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VPCD_DRIVER_CANDIDATES } from "./pcscd.ts";

export const PCSCD_SOCKET = "/run/pcscd/pcscd.comm";

/** The two readers of a private pcscd and their card ports. */
export const PRIVATE_READERS = [
  { name: "Virtual PCD 00 00", port: 35963 },
  { name: "Virtual PCD 00 01", port: 35964 },
] as const;

/** A fresh configuration folder with one vpcd device. */
export function vpcdConfigDir(): string {
  const driver = VPCD_DRIVER_CANDIDATES.find((p) => existsSync(p));
  if (!driver) throw new Error("the vpcd driver is not installed");
  const dir = mkdtempSync(join(tmpdir(), "webcard-private-pcscd-"));
  writeFileSync(join(dir, "vpcd"), `FRIENDLYNAME "Virtual PCD"\nDEVICENAME /dev/null:35963\nLIBPATH ${driver}\n`);
  return dir;
}

function readerNames(): string[] {
  return Bun.spawnSync(["pcsc_scan", "-r"], { stdout: "pipe", stderr: "ignore", timeout: 5000 })
    .stdout.toString()
    .split("\n")
    .map((l) => /^\d+: (.*)$/.exec(l.trim())?.[1])
    .filter((n): n is string => n !== undefined);
}

/** Start `pcscd --foreground -c dir` and wait (10 s at most) until it lists both readers. */
export async function launchPcscd(dir: string): Promise<ReturnType<typeof Bun.spawn>> {
  rmSync(PCSCD_SOCKET, { force: true }); // a crashed pcscd leaves it behind (private tmpfs)
  const proc = Bun.spawn(["pcscd", "--foreground", "-c", dir], { stdout: "ignore", stderr: "ignore", stdin: "ignore" });
  const end = Date.now() + 10_000;
  while (!existsSync(PCSCD_SOCKET) || readerNames().length < PRIVATE_READERS.length) {
    if (Date.now() > end || proc.exitCode !== null) {
      proc.kill("SIGKILL");
      throw new Error("private pcscd did not come up");
    }
    await Bun.sleep(50);
  }
  return proc;
}

/** SIGTERM, then SIGKILL after `graceMs` (pcscd takes 1.6-4 s to exit); resolves once the process is gone. */
export async function stopProcess(proc: ReturnType<typeof Bun.spawn>, graceMs = 6000): Promise<void> {
  proc.kill("SIGTERM");
  const gone = await Promise.race([proc.exited.then(() => true), Bun.sleep(graceMs).then(() => false)]);
  if (!gone) {
    proc.kill("SIGKILL");
    await proc.exited;
  }
}
