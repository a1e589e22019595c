/**
 * The terminal killed mid-install: `webcard install --sim STATE --via X`
 * runs as a subprocess and is killed with SIGKILL (by its PID) after a
 * seeded random number of APDUs (counted on its --trace output, so the
 * kill lands inside the install, not in start-up). The card memory (the
 * SQLite file the killed process held) must then hold the package entirely
 * or not at all, and the next install by the same path must succeed.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createWebCard } from "../../src/card/link/with-link.ts";
import { inProcessTransport } from "../../src/card/in-process.ts";
import { openGpSession } from "../../src/host/gp/connect.ts";
import { deleteAid } from "../../src/host/gp/manage.ts";
import { Counts, LONG, SEED, describeError, packageState, rng } from "./common.ts";
import { ALGTEST, CAP_DIR, KEYS, ROOT, counting, fixtureCap, installOn, type PathName } from "./paths.ts";

const CLI = resolve(ROOT, "src/cli.ts");
const dir = mkdtempSync(join(tmpdir(), "webcard-robust-kill-"));
const counts = new Counts("kill");
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  counts.print();
  console.log(`robustness kill: package state found after the kill: ${[...found].map(([k, v]) => `${k} ${v}`).join(", ")}`);
});

const VIAS = { gp: "gp", bridge: "bridge", web: "web-extended" } as const satisfies Record<string, PathName>;
const ROUNDS = LONG ? 40 : 6;
const found = new Map<string, number>();
const CAP = fixtureCap(ALGTEST);

/** Run the CLI install and kill it once `killAt` APDUs have gone out; returns how many it saw and the exit code. */
async function killedInstall(via: string, statePath: string, killAt: number): Promise<{ seen: number; code: number | null }> {
  const proc = Bun.spawn([process.execPath, CLI, "install", "--sim", statePath, "--via", via, "--trace", resolve(CAP_DIR, ALGTEST)], {
    stdout: "ignore",
    stderr: "pipe",
    stdin: "ignore",
  });
  const guard = setTimeout(() => proc.kill("SIGKILL"), 30_000);
  let seen = 0;
  let tail = "";
  const reader = (proc.stderr as ReadableStream<Uint8Array>).getReader();
  const dec = new TextDecoder();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const text = tail + dec.decode(value);
    const lines = text.split("\n");
    tail = lines.pop() ?? "";
    seen += lines.filter((l) => l.startsWith("=> ")).length;
    if (seen >= killAt) {
      proc.kill("SIGKILL");
      break;
    }
  }
  reader.releaseLock();
  const code = await proc.exited;
  clearTimeout(guard);
  return { seen, code };
}

for (const [via, path] of Object.entries(VIAS)) {
  test(`--via ${via}: the terminal killed at random moments of an install`, async () => {
    // How many APDUs a whole install sends (SELECT and authentication included).
    const probe = createWebCard({ link: via === "web" });
    const t = counting(inProcessTransport(probe));
    await installOn(path, t, CAP);
    probe.close();
    const r = rng(SEED ^ (0x4b1 + via.length));
    for (let round = 0; round < ROUNDS; round++) {
      const killAt = 1 + r.int(t.commands);
      const statePath = join(dir, `${via}-${round}.sqlite`);
      const what = `--via ${via}, killed after ${killAt} of ${t.commands} APDUs`;
      try {
        const { code } = await killedInstall(via, statePath, killAt);
        if (code === 0 && killAt < t.commands) throw new Error("the install finished before the kill");
        const card = createWebCard({ statePath, link: via === "web" });
        try {
          const state = await packageState(inProcessTransport(card), CAP.file);
          found.set(state.state, (found.get(state.state) ?? 0) + 1);
          if (state.state === "inconsistent") throw new Error(`inconsistent: ${state.detail}`);
          // A GP install killed between its last LOAD and INSTALL leaves the package loaded (see docs/robustness.md).
          if (state.state === "loaded") await deleteAid(await openGpSession(inProcessTransport(card), KEYS()), CAP.file.packageAid, { force: true });
          if (state.state !== "installed") await installOn(path, counting(inProcessTransport(card)), CAP);
          const final = await packageState(inProcessTransport(card), CAP.file);
          if (final.state !== "installed") throw new Error(`after the next install the package is ${final.state}`);
        } finally {
          card.close();
        }
        counts.pass();
      } catch (e) {
        counts.fail(`${what}: ${describeError(e)}`);
      }
    }
    expect(counts.failures).toEqual([]);
  }, LONG ? 300_000 : 60_000);
}
