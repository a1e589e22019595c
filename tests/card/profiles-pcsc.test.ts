/**
 * Every fixture installs, lists and deletes on every card profile through
 * the real PC/SC stack: `webcard sim --profile NAME` in a vpcd reader of a
 * private pcscd, the terminal through libpcsclite, on every install path the
 * profile can take; the card's ATR and protocol (T=0 or T=1) as pcscd
 * negotiated them. One scenario run for all profiles, one test per profile.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { BUN, isolationUsable, ROOT, runIsolated } from "../pcsc/isolated.ts";
import { shippedProfiles } from "../../src/card/profiles/catalogue.ts";
import { expectRuns, pathsOf, type FixtureRun } from "./profile-runs.ts";

type Result = { atr: string; protocol: string; runs: FixtureRun[] } | { error: string; log: string };
let results: Record<string, Result> = {};
let extra: { simLine?: string; opensc?: string } = {};
let failure: string | undefined;

beforeAll(async () => {
  if (!isolationUsable) return;
  const r = await runIsolated([BUN, join(ROOT, "tests/card/profiles-pcsc-scenario.ts")], 540_000);
  const last = r.stdout.trim().split("\n").pop() ?? "";
  try {
    const out = JSON.parse(last) as { ok: boolean; error?: string; results: Record<string, Result>; simLine?: string; opensc?: string };
    results = out.results ?? {};
    extra = out;
    failure = out.error;
  } catch {
    failure = `scenario exited ${r.code} without a result: ${r.stdout.slice(-2000)} ${r.stderr.slice(-2000)}`;
  }
}, 600_000);

describe.if(isolationUsable)("through pcscd + vpcd, every profile", () => {
  test.each(shippedProfiles().map((p) => [p.name, p] as const))("%s", (name, profile) => {
    expect(failure).toBeUndefined();
    const r = results[name];
    expect(r && "error" in r ? r : undefined).toBeUndefined();
    const ok = r as Exclude<Result, { error: string }>;
    expect(ok.atr).toBe(profile.atr.toUpperCase());
    expect(ok.protocol).toBe(profile.protocol);
    expectRuns(ok.runs, pathsOf(profile));
  });
});

test.if(isolationUsable)("opensc-tool talks to a T=0 profile with --timing through pcscd; the sim's line names the profile and the timing", () => {
  expect(failure).toBeUndefined();
  expect(extra.simLine).toMatch(/^Simulated card attached to vpcd 127\.0\.0\.1:\d+; state .*opensc\.sqlite; profile jcop4-t0; timing 5 ms an APDU at 9600 bit\/s; SCP02 key set FF KCV ENC \w{6} MAC \w{6} DEK \w{6}, no link application$/);
  // The FCI and the CPLC arrive whole: the card answered 61xx / 6Cxx and the client fetched the rest.
  expect(extra.opensc).toContain("Received (SW1=0x90, SW2=0x00):\n6F 10 84 08 A0 00 00 01 51 00 00 00 A5 04 9F 65");
  expect(extra.opensc).toContain("Received (SW1=0x90, SW2=0x00):\n9F 7F 2A 47 90 D3 21 47");
});
