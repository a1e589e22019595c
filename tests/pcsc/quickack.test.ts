/**
 * The vpcd latency fix (REFERENCE.md section 2): the card side re-arms
 * TCP_QUICKACK after every read, since the kernel leaves quick-ACK mode on
 * its own. Counted with strace on a card answering a stand-in vpcd.
 */
import { test, expect } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUN, ROOT } from "./isolated.ts";

const strace = ["/usr/bin/strace", "/bin/strace"].find((p) => existsSync(p));
const COUNT = 30;

test.if(process.platform === "linux" && strace !== undefined)("vpcd-link sets TCP_QUICKACK on its socket after every read", () => {
  const dir = mkdtempSync(join(tmpdir(), "webcard-quickack-"));
  try {
    const log = join(dir, "strace.log");
    const r = Bun.spawnSync([strace!, "-f", "-e", "trace=setsockopt", "-o", log, BUN, join(ROOT, "tests/pcsc/quickack-card.ts"), String(COUNT)], {
      cwd: ROOT,
      stdout: "pipe",
      stderr: "pipe",
      timeout: 30_000,
    });
    expect({ code: r.exitCode, stdout: r.stdout.toString() }).toEqual({ code: 0, stdout: `answers ${COUNT}\n` });
    const armed = readFileSync(log, "utf8").split("\n").filter((l) => /setsockopt\(\d+, SOL_TCP, TCP_QUICKACK, \[1\], 4\) = 0/.test(l));
    // One on connect, then one per message read (the power-on and COUNT APDUs).
    expect(armed.length).toBeGreaterThanOrEqual(COUNT + 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
