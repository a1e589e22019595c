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

  // GlobalPlatform's OMAPI test applet omapitest4 (TestApp_length, GlobalPlatform/OMAPI-applets): INS 10 with
  // P1P2 0100 echoes a case 4 command's data when Le is 00 (256), else 6700; other P1P2 6A86, no data 6A80, other INS 6D00.
  test("omapi_T1_omapitest4 answers as its specification says", async () => {
    const { card, aid } = await installed("omapi_T1_omapitest4.cap");
    expect(aid).toHaveLength(32); // a 16-byte AID, the maximum
    expect(await apdu(card, select(aid))).toBe("9000");
    expect(await apdu(card, "00100100040102030400")).toBe("010203049000");
    expect(await apdu(card, "00100100040102030410")).toBe("6700");
    expect(await apdu(card, "00100200040102030400")).toBe("6A86");
    expect(await apdu(card, "0010010000")).toBe("6A80");
    expect(await apdu(card, "0020000000")).toBe("6D00");
    card.close();
  });

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

describe("persistence in the card's memory", () => {
  test("an installed applet is restored from the state file after the card restarts, and deletion frees its objects", async () => {
    const { mkdtempSync, rmSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const dir = mkdtempSync(join(tmpdir(), "webcard-jcvm-"));
    try {
      const statePath = join(dir, "card.db");
      const first = await installed("jcalgtest_AlgTest_v1.7.4_jc222.cap", { statePath });
      expect(await apdu(first.card, select(first.aid))).toBe("9000");
      first.card.close();

      const again = createSimulatedCard({ open: true, statePath });
      expect(await apdu(again, select(first.aid))).toBe("9000");
      const { Database } = await import("bun:sqlite");
      again.close();
      const db = new Database(statePath);
      const objects = db.query<{ n: number }, []>("SELECT count(*) AS n FROM jcvm_objects").get()!.n;
      db.close();
      expect(objects).toBeGreaterThan(5);

      const third = createSimulatedCard({ open: true, statePath });
      // DELETE the package and its instance (80E4 0080, 4F <package AID>).
      const pkg = toHex(first.cap.packageAid);
      expect(swOf(await apdu(third, select("A000000151000000")))).toBe("9000");
      expect(swOf(await apdu(third, `80E40080${(pkg.length / 2 + 2).toString(16).padStart(2, "0")}4F${(pkg.length / 2).toString(16).padStart(2, "0")}${pkg}00`))).toBe("9000");
      third.close();
      const db2 = new Database(statePath);
      const left = db2.query<{ n: number }, []>("SELECT count(*) AS n FROM jcvm_objects").get()!.n;
      const applets = db2.query<{ n: number }, []>("SELECT count(*) AS n FROM jcvm_applets").get()!.n;
      db2.close();
      expect([left, applets]).toEqual([0, 0]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
