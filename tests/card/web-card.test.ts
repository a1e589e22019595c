/** The one way to build a simulated card with the web-card link application (`--sim`, `webcard sim`, the demo, tests). */
import { test, expect } from "bun:test";
import { toHex } from "../../src/stack/bytes.ts";
import { LINK_AID } from "../../src/stack/link/constants.ts";
import { createWebCard } from "../../src/card/link/with-link.ts";

async function selectLink(link: boolean): Promise<Uint8Array> {
  const card = createWebCard({ statePath: ":memory:", link });
  try {
    card.powerOn();
    return await card.process(Uint8Array.of(0x00, 0xa4, 0x04, 0x00, LINK_AID.length, ...LINK_AID, 0x00));
  } finally {
    card.close();
  }
}

test("the link application is on the card unless link is false (--no-link), and its SELECT reaches it", async () => {
  const withLink = await selectLink(true);
  expect(toHex(withLink.subarray(withLink.length - 2))).toBe("9000");
  expect(withLink.length).toBeGreaterThan(2);
  const without = await selectLink(false);
  expect(toHex(without)).toBe("6A82");
});
