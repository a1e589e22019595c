/**
 * Every fixture installs, lists and deletes on every card profile, on every
 * install path the profile can take, on an in-process card (the `--sim
 * STATE --profile NAME` card): one test per profile. A fixture the card
 * cannot take is refused and leaves nothing behind. The same through pcscd
 * + vpcd is in profiles-pcsc.test.ts.
 */
import { describe, expect, test } from "bun:test";
import { createWebCard } from "../../src/card/link/with-link.ts";
import { inProcessTransport } from "../../src/card/in-process.ts";
import { shippedProfiles } from "../../src/card/profiles/catalogue.ts";
import { withIsoResponses } from "../../src/stack/transport/get-response.ts";
import { exerciseProfile, pathsOf, type FixtureRun } from "./profile-runs.ts";
import { FIXTURES } from "../cap/fixtures.ts";

/** What every run on a profile must show; shared with the pcscd + vpcd test. */
export function expectRuns(runs: FixtureRun[], paths: string[]): void {
  expect(runs).toHaveLength(FIXTURES.length * paths.length);
  expect(runs.some((r) => r.takes)).toBe(true);
  for (const r of runs) {
    const where = `${r.fixture} --via ${r.via}`;
    const applets = FIXTURES.find((f) => f.file === r.fixture)!.applets;
    if (r.takes) expect({ where, refused: r.refused, installed: r.installed }).toEqual({ where, refused: undefined, installed: [...applets].sort() });
    else expect({ where, refused: r.refused }).toEqual({ where, refused: expect.stringContaining("6A80") });
    expect({ where, left: r.left }).toEqual({ where, left: [] });
  }
}

describe("in-process, every profile", () => {
  test.each(shippedProfiles().map((p) => [p.name, p] as const))("%s", async (_, profile) => {
    const card = createWebCard({ profile });
    try {
      const runs = await exerciseProfile(withIsoResponses(inProcessTransport(card)), profile);
      expectRuns(runs, pathsOf(profile));
    } finally {
      card.close();
    }
  }, 60_000);
});
