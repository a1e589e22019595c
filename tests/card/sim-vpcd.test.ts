/**
 * `webcard sim` through the real PC/SC stack, each scenario inside a private
 * pcscd (tests/pcsc/isolated.ts: a mount + network namespace with one vpcd
 * device), because the shared pcscd's vpcd driver serves only some of its
 * ports (see the PC/SC engineer's note in tests/pcsc/served-reader.ts).
 */
import { test, expect } from "bun:test";
import { join } from "node:path";
import { isolationUsable, runIsolated, ROOT } from "../pcsc/isolated.ts";

async function scenario<T>(file: string, timeoutMs: number): Promise<T & { ok: boolean; error?: string }> {
  const r = await runIsolated([process.execPath, join(ROOT, "tests/card/scenarios", file)], timeoutMs);
  const last = r.stdout.trim().split("\n").pop() ?? "";
  try {
    return JSON.parse(last);
  } catch {
    throw new Error(`scenario ${file} exited ${r.code} without a result:\n${r.stdout}\n${r.stderr}`);
  }
}

test.if(isolationUsable)("pcsc_scan and opensc-tool see and talk to the simulated card through vpcd", async () => {
  const r = await scenario<{ line: string; scan: string; list: string; atr: string; select: string; exitCode: number; stderr: string; reader: string }>(
    "tools.ts",
    60_000,
  );
  expect(r.error).toBeUndefined();
  expect(r.line).toMatch(/^Simulated card attached to vpcd 127\.0\.0\.1:35963; state .*card\.sqlite; SCP03 key set FF KCV ENC 504A77 MAC 504A77 DEK 504A77$/);
  expect(r.line).not.toContain("404142");
  expect(r.scan).toContain(r.reader);
  expect(r.list).toMatch(/0\s+Yes\s+Virtual PCD 00 00/);
  expect(r.atr.trim()).toBe("3b:88:80:01:57:45:42:43:41:52:44:31:7c");
  // SELECT of the ISD answers its FCI with 9000; GET DATA the CPLC; INSTALL without a secure channel 6982.
  expect(r.select).toContain("Received (SW1=0x90, SW2=0x00):\n6F 4F 84 08 A0 00 00 01 51 00 00 00");
  expect(r.select).toContain("9F 7F 2A");
  expect(r.select).toContain("Received (SW1=0x69, SW2=0x82)");
  expect(r.stderr).toContain("card: refused: INSTALL [for load]: 6982");
  expect(r.exitCode).toBe(0);
}, 90_000);

test.if(isolationUsable)("webcard sim killed with SIGKILL during installs comes back consistent every time", async () => {
  const r = await scenario<{
    rounds: { outcome: string; cap: number; refused: string[]; statesBefore: string[] }[];
    final: string[];
    inconsistent: number;
    killedMidInstall: number;
    integrity: string;
    exitCode: number;
    pcscdRestarts: number;
  }>(
    "kill.ts",
    300_000,
  );
  expect(r.error).toBeUndefined();
  expect(r.rounds.length).toBe(12);
  expect(r.inconsistent).toBe(0);
  expect(r.final.every((s) => s === "absent" || s === "installed" || s === "loaded")).toBe(true);
  // What was answered 9000 was kept: an install that completed before the kill is there after the restart.
  const completed = r.rounds.map((round, k) => ({ round, after: (r.rounds[k + 1]?.statesBefore ?? r.final)[round.cap] }));
  for (const { round, after } of completed.filter((c) => c.round.outcome === "completed")) {
    expect(round.refused).toEqual([]);
    expect(after).toBe("installed");
  }
  expect(completed.filter((c) => c.round.outcome === "completed").length).toBeGreaterThan(0);
  // The seeded moments do hit installs in flight (the rest land between APDUs or after the last).
  expect(r.killedMidInstall).toBeGreaterThan(0);
  console.log(`kill test: ${r.rounds.length} rounds, ${r.killedMidInstall} killed mid-install, ${r.inconsistent} inconsistent, pcscd restarted ${r.pcscdRestarts} time(s)`);
  expect(r.integrity).toBe("ok");
  expect(r.exitCode).toBe(0);
}, 320_000);
