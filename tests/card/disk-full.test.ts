/**
 * A full disk, for real: the card memory on a small tmpfs in a private mount
 * namespace (`unshare --mount`, root), driven through the GlobalPlatform path
 * with SCP03 (disk-full-scenario.ts). The card must answer 6A84 to what does
 * not fit and leave nothing behind, keep authentication, GET STATUS and
 * DELETE working from its reserve, use the room DELETE frees (by the GP
 * path; a web install over the link gets 6A84 too), and answer
 * SELECT and list its registry after restarts on the full disk.
 */
import { test, expect, afterAll } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { CI } from "../harness/pcscd.ts";
import type { Outcome } from "./disk-full-scenario.ts";

const ROOT = resolve(import.meta.dir, "../..");
/** Small enough to fill in seconds, large enough for the reserve (128 KiB) and a few 20 KB packages. */
const TMPFS_KIB = 512;

function canMountPrivately(): boolean {
  if (process.platform !== "linux") return false;
  const r = Bun.spawnSync(["unshare", "--mount", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"], { stdout: "ignore", stderr: "ignore" });
  return r.exitCode === 0;
}
const usable = canMountPrivately();
const mountPoint = mkdtempSync(join(tmpdir(), "webcard-diskfull-"));
afterAll(() => rmSync(mountPoint, { recursive: true, force: true }));

test.if(CI)("a private tmpfs can be mounted (root, unshare) in CI", () => {
  expect(usable).toBe(true);
});

test.if(usable)(
  "a full disk: 6A84 and nothing left behind; authenticate, list, delete from the reserve; SELECT and the registry after restarts",
  async () => {
    const script = `mount -t tmpfs -o size=${TMPFS_KIB}k tmpfs "$1" && exec "$2" "$3" "$1"`;
    const proc = Bun.spawn(["unshare", "--mount", "sh", "-c", script, "sh", mountPoint, process.execPath, join(import.meta.dir, "disk-full-scenario.ts")], {
      cwd: ROOT,
      stdout: "pipe",
      stderr: "pipe",
    });
    const timer = setTimeout(() => proc.kill("SIGKILL"), 120_000);
    const [stdout, stderr] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    clearTimeout(timer);
    const last = stdout.trim().split("\n").pop() ?? "";
    let o: Outcome;
    try {
      o = JSON.parse(last) as Outcome;
    } catch {
      throw new Error(`the scenario gave no result:\n${stdout}\n${stderr}`);
    }
    // Filled until the disk refused, with the card's memory-full answer and a clear log line.
    expect(o.installed).toBeGreaterThan(2);
    expect(o.refusal).toBe("6A84");
    expect(o.refusalLog).toContain("6A84");
    expect(o.refusalLog).toContain("file system holding the card memory is full");
    expect(o.freeAtRefusal).toBeLessThan(64 * 1024);
    // Nothing left behind: the refused package is not listed, the others are.
    expect(o.listedAfterRefusal).toHaveLength(o.installed);
    // DELETE works and its room takes the refused package.
    expect(o.deleted).toBe("9000");
    expect(o.reinstalled).toBe(true);
    // Restart: SELECT and the registry.
    expect(o.restartSelect).toBe("9000");
    expect(o.listedAfterRestart).toHaveLength(o.installed);
    // Disk filled to the last byte by another file: the reserve carries authentication, GET STATUS and DELETE.
    expect(o.fillerFree).toBe(0);
    expect(o.fullAuth).toBe(true);
    expect(o.fullList).toHaveLength(o.installed);
    expect(o.fullDelete).toBe("9000");
    // The deleted package's pages stay in the file for the card: a larger load does not fit, a smaller one does.
    expect(o.fullWebLoad).toBe("Link EXCHANGE failed with 6A84 (Not enough memory space)");
    expect(o.fullLoadBig).toBe("6A84");
    expect(o.fullLoadSmall).toBe("9000");
    expect(o.fullRestartSelect).toBe("9000");
    expect(o.fullRestartList).toHaveLength(o.installed);
    expect(o.log.filter((l) => l.startsWith("error:"))).toEqual([]);
  },
  150_000,
);
