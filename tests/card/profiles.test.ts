/**
 * Every fixture installs, lists and deletes on every card profile, on every
 * install path the profile can take, on an in-process card (the `--sim
 * STATE --profile NAME` card): one test per profile. A fixture the card
 * cannot take is refused and leaves nothing behind. The same through pcscd
 * + vpcd is in profiles-pcsc.test.ts.
 */
import { describe, test } from "bun:test";
import { createWebCard } from "../../src/card/link/with-link.ts";
import { inProcessTransport } from "../../src/card/in-process.ts";
import { shippedProfiles } from "../../src/card/profiles/catalogue.ts";
import { withIsoResponses } from "../../src/stack/transport/get-response.ts";
import { exerciseProfile, expectRuns, pathsOf } from "./profile-runs.ts";

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
