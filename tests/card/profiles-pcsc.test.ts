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
let failure: string | undefined;

beforeAll(async () => {
  if (!isolationUsable) return;
  const r = await runIsolated([BUN, join(ROOT, "tests/card/profiles-pcsc-scenario.ts")], 540_000);
  const last = r.stdout.trim().split("\n").pop() ?? "";
  try {
    const out = JSON.parse(last) as { ok: boolean; error?: string; results: Record<string, Result> };
    results = out.results ?? {};
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
