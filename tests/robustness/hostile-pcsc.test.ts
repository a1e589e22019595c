/**
 * Hostile input through the real PC/SC stack: `webcard sim` as a process on
 * a vpcd reader of a private pcscd (its own mount, network and PID
 * namespaces), driven by the project's PC/SC client with a 2 s limit on
 * every command. The scenario (hostile-pcsc-scenario.ts) reports counts per
 * phase; here: nothing failed, nothing hung, the card process stayed alive
 * and under MEMORY_BOUND_KB, and its registry is what it was.
 */
import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import { CI } from "../harness/pcscd.ts";
import { BUN, isolationUsable, runIsolated } from "../pcsc/isolated.ts";

/**
 * The card process's peak resident memory (VmHWM) must stay under this. It
 * starts near 50 MiB; a 97 MiB bomb inflated in full would pass it.
 */
export const MEMORY_BOUND_KB = 128 * 1024;

interface PhaseResult {
  name: string;
  tried: number;
  passed: number;
  failed: number;
  failures: string[];
}

interface Result {
  ok: boolean;
  error?: string;
  phases: PhaseResult[];
  oneByteAnswers: Record<string, number>;
  memory: Record<string, { rssKb: number; hwmKb: number }>;
  registryBefore: string[];
  registryAfter: string[];
  stillAlive: boolean;
  cardErrors: string[];
}

let result: Result | undefined;
afterAll(() => {
  for (const p of result?.phases ?? []) console.log(`robustness hostile pcsc ${p.name}: ${p.tried} tried, ${p.passed} passed, ${p.failed} failed`);
  const peak = Math.max(...Object.values(result?.memory ?? {}).map((m) => m.hwmKb));
  if (result) console.log(`robustness hostile pcsc memory: card VmHWM ${Math.round(peak / 1024)} MiB (bound ${MEMORY_BOUND_KB / 1024} MiB), start ${Math.round((result.memory.start?.rssKb ?? 0) / 1024)} MiB`);
});

test.if(CI)("private pcscd namespaces are usable in CI (for the hostile PC/SC suite)", () => {
  expect(isolationUsable).toBe(true);
});

test.if(isolationUsable)(
  "webcard sim through pcscd + vpcd: 1-byte to 65 KB APDUs, random link frames, hostile HTTP, ZIP bombs with and without authentication",
  async () => {
    const r = await runIsolated([BUN, join(import.meta.dir, "hostile-pcsc-scenario.ts")], 240_000);
    const last = r.stdout.trim().split("\n").pop() ?? "";
    try {
      result = JSON.parse(last) as Result;
    } catch {
      throw new Error(`the scenario exited ${r.code} without a result:\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
    }
    expect(result.error).toBeUndefined();
    expect(result.ok).toBe(true);
    for (const p of result.phases) expect({ phase: p.name, failures: p.failures, failed: p.failed }).toEqual({ phase: p.name, failures: [], failed: 0 });
    expect(result.phases.every((p) => p.tried > 0)).toBe(true);
    // Every 1-byte value: 252 answered 6700, 04 with the ATR, 00/01/02 freed by a re-attach (a removal), none hung.
    expect(result.oneByteAnswers["sw 6700"]).toBe(252);
    expect(result.oneByteAnswers["error removed"]).toBe(3);
    expect(result.oneByteAnswers["error timeout"]).toBeUndefined();
    expect(result.stillAlive).toBe(true);
    expect(result.cardErrors).toEqual([]);
    expect(result.registryAfter).toEqual(result.registryBefore);
    expect(result.registryBefore.length).toBeGreaterThan(0);
    for (const [phase, m] of Object.entries(result.memory)) expect({ phase, under: m.hwmKb < MEMORY_BOUND_KB }).toEqual({ phase, under: true });
  },
  300_000,
);
