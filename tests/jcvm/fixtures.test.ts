/**
 * The fixture CAP files run on the simulated card's JCVM: each installs
 * through the ISD's APDUs (INSTALL [for load], LOAD, INSTALL [for install]),
 * then answers as its bytecode says. `jcvm: false` keeps the stub applets.
 */
import { describe, test, expect } from "bun:test";
import { toHex } from "../../src/stack/bytes.ts";
import { createSimulatedCard, type SimOptions } from "../../src/card/sim.ts";
import { fixture } from "../card/fixtures.ts";
import { apdu, installSequence, swOf } from "../card/helpers.ts";

const HELLO = "48656C6C6F20576F726C6421"; // "Hello World!"

async function installed(name: string, options: SimOptions = {}) {
  const log: string[] = [];
  const card = createSimulatedCard({ open: true, log: (l) => log.push(l), ...options });
  const cap = fixture(name);
  const sws: string[] = [];
  for (const c of installSequence(cap)) sws.push(swOf(toHex(await card.process(c))));
  return { card, cap, sws, log, aid: toHex(cap.applets[0]!.aid) };
}

const select = (aid: string) => `00A40400${(aid.length / 2).toString(16).padStart(2, "0")}${aid}`;

describe("fixtures on the JCVM", () => {
  test("kaoh_helloworld answers SELECT and every command with 'Hello World!' (its process sends it unconditionally)", async () => {
    const { card, sws, aid } = await installed("kaoh_helloworld.cap");
    expect(sws.every((s) => s === "9000")).toBe(true);
    expect(await apdu(card, select(aid))).toBe(`${HELLO}9000`);
    for (const c of ["8010000000", "00CA000000", "80010203", "0001020304AABBCCDD"]) expect(await apdu(card, c)).toBe(`${HELLO}9000`);
    card.close();
  });

  test("gppro_Empty installs and is selected; its process throws CryptoException 0x6666, answered 6F00, and the card goes on", async () => {
    const { card, sws, aid, log } = await installed("gppro_Empty_0102030405_2.2.1.cap");
    expect(sws.every((s) => s === "9000")).toBe(true);
    expect(await apdu(card, select(aid))).toBe("6F00");
    expect(await apdu(card, "8001000000")).toBe("6F00");
    expect(log.join("\n")).toContain("uncaught javacard.security.CryptoException (reason 26214)");
    expect(swOf(await apdu(card, select("A000000151000000")))).toBe("9000");
    card.close();
  });

  test.each(["jcalgtest_AlgTest_v1.7.4_jc222.cap", "jcalgtest_AlgTest_v1.7_supportOnly_jc212.cap", "omapi_T1_omapitest4.cap"])(
    "%s installs (its install method allocates what it needs) and selects with 9000",
    async (name) => {
      const { card, sws, aid } = await installed(name);
      expect(sws.every((s) => s === "9000")).toBe(true);
      expect(await apdu(card, select(aid))).toBe("9000");
      card.close();
    },
  );

  test("the instances survive a reset on the same card object", async () => {
    const { card, aid } = await installed("kaoh_helloworld.cap");
    card.reset();
    expect(await apdu(card, select(aid))).toBe(`${HELLO}9000`);
    card.close();
  });

  test("jcvm: false keeps the stub: SELECT 9000, anything else 6D00", async () => {
    const { card, aid } = await installed("kaoh_helloworld.cap", { jcvm: false });
    expect(await apdu(card, select(aid))).toBe("9000");
    expect(await apdu(card, "8010000000")).toBe("6D00");
    card.close();
  });
});
