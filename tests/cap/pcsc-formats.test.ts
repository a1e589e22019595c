/**
 * CAP 2.1, 2.2 and 2.3 compact files and 2.3 extended files (two packages;
 * over 64 KB) the project builds, through the real PC/SC stack (pcscd + vpcd,
 * a `webcard sim --java-card` per reader) by every path: each installs on a
 * card of a release that takes it, every package of an extended file listed;
 * on an older card the 2.3 files are refused in one line naming the reason,
 * before any LOAD, and nothing of them is on the card.
 */
import { test, expect } from "bun:test";
import { join } from "node:path";
import { isolationUsable, runIsolated, BUN } from "../pcsc/isolated.ts";

interface Run {
  release: string;
  via: string;
  format: string;
  code: number;
  stderr: string;
  onCard: boolean;
  anyOnCard: boolean;
}

test.if(isolationUsable)(
  "every format installs on a card that takes it, by gp, web and bridge; CAP 2.3 compact and extended on a 3.0.5 card are refused in one line",
  async () => {
    const r = await runIsolated([BUN, join(import.meta.dir, "pcsc-formats-scenario.ts")], 400_000);
    const result = JSON.parse(r.stdout.trim().split("\n").pop() ?? "{}") as { ok: boolean; error?: string; ready: boolean; runs: Run[] };
    expect(result.error).toBeUndefined();
    expect(result.ready).toBe(true);
    expect(result.runs).toHaveLength(30);
    for (const run of result.runs) {
      const where = `${run.format} on ${run.release} via ${run.via}`;
      const refused = run.format.startsWith("2.3") && run.release === "3.0.5";
      if (!refused) {
        expect({ where, code: run.code, stderr: run.stderr, onCard: run.onCard }).toEqual({ where, code: 0, stderr: "", onCard: true });
        continue;
      }
      expect({ where, code: run.code, lines: run.stderr.trim().split("\n").length, onCard: run.anyOnCard }).toEqual({ where, code: 1, lines: 1, onCard: false });
      expect(run.stderr).toContain("CAP format 2.3");
      expect(run.stderr).toContain(run.via === "web" ? "the loader takes 2.1,2.2" : "needs Java Card 3.1 or later; the card is Java Card 3.0.5");
    }
  },
  400_000,
);
