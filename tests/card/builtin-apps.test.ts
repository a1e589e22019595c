/** `webcard sim`'s built-in applications: the link application unless --no-link. */
import { test, expect } from "bun:test";
import { toHex } from "../../src/stack/bytes.ts";
import { LINK_AID } from "../../src/stack/link/constants.ts";
import { builtinApplications } from "../../src/card/builtin-apps.ts";
import { createSimulatedCard } from "../../src/card/sim.ts";

test("the link application is built in unless --no-link, and its SELECT reaches it", async () => {
  expect(await builtinApplications({ link: false })).toEqual([]);
  const apps = await builtinApplications({ link: true });
  expect(apps.map((a) => toHex(a.aid))).toEqual([toHex(LINK_AID)]);
  const card = createSimulatedCard();
  for (const app of apps) card.installApplication(app);
  card.powerOn();
  const r = await card.process(Uint8Array.of(0x00, 0xa4, 0x04, 0x00, LINK_AID.length, ...LINK_AID, 0x00));
  expect(toHex(r.subarray(r.length - 2))).toBe("9000");
  expect(r.length).toBeGreaterThan(2);
  card.close();
});
