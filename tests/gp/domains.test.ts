/**
 * Security domains, DAP, delegated management, personalisation and the card
 * life cycle on the in-process simulated card, under SCP02 and SCP03: the
 * technician's scenario with the registry after each step, and one refusal
 * per rule the card enforces.
 */
import { describe, expect, test } from "bun:test";
import { createSimulatedCard } from "../../src/card/sim.ts";
import { inProcessTransport } from "../../src/card/in-process.ts";
import { withIsoResponses } from "../../src/stack/transport/get-response.ts";
import { fixture } from "../card/fixtures.ts";
import { runScenario } from "./domain-scenario.ts";
import { checkScenario, ISD, PKG } from "./domain-expect.ts";

const CAP = fixture("kaoh_helloworld.cap");
describe.each([2, 3] as const)("in-process, SCP0%d", (scp) => {
  test("the technician's scenario: SSD with DM and DAP, keys, load, install, STORE DATA, move, lock, delete", async () => {
    const log: string[] = [];
    const card = createSimulatedCard({ scp, log: (l) => log.push(l) });
    try {
      const result = await runScenario(withIsoResponses(inProcessTransport(card)), scp, CAP);
      checkScenario(result);
      // The refusals name their reason in the card's log.
      expect(log.join("\n")).toContain("the load has no DAP block (E2) for it");
      expect(log.join("\n")).toContain("does not verify with the ISD's token key");
      expect(log.join("\n")).toContain("in use by this secure channel session");
      expect(log.join("\n")).toContain("STORE DATA: block 0 (last)");
    } finally {
      card.close();
    }
  });
});

describe("Mandated DAP and the announced block size", () => {
  test("with --mandated-dap the ISD refuses a load without its DAP (6A80) and takes one with it", async () => {
    const { generateKeyPairSync } = await import("node:crypto");
    const { openGpSession } = await import("../../src/host/gp/connect.ts");
    const { load } = await import("../../src/host/gp/load.ts");
    const { putPublic } = await import("../../src/host/gp/domains.ts");
    const { list } = await import("../../src/host/gp/registry.ts");
    const { defaultKeys } = await import("../../src/stack/gp/keys.ts");
    const { loadFileDataBlockHash, signDap } = await import("../../src/stack/gp/dap.ts");
    const { fromHex, toHex } = await import("../../src/stack/bytes.ts");
    const log: string[] = [];
    const card = createSimulatedCard({ mandatedDap: true, log: (l) => log.push(l) });
    try {
      const t = withIsoResponses(inProcessTransport(card));
      const s = await openGpSession(t, { keys: defaultKeys("AES"), level: "mac" });
      const isd = (await list(s)).isd[0]!;
      expect(isd.privileges & 0xc10000).toBe(0xc10000); // DAP verification + mandated DAP
      const hash = loadFileDataBlockHash(CAP.lfdb);
      const err = await load(s, CAP, { hash }).catch((e: Error) => e);
      expect(String(err)).toContain("6A80");
      expect(log.join("\n")).toContain(`security domain ${ISD} verifies Mandated DAP: the load has no DAP block`);
      const key = generateKeyPairSync("rsa", { modulusLength: 2048 });
      await putPublic(s, key.publicKey, 0x73);
      await load(s, CAP, { hash, dap: [signDap(fromHex(ISD), hash, key.privateKey)] });
      expect((await list(s)).loadFiles.map((f) => toHex(f.aid))).toContain(PKG);
    } finally {
      card.close();
    }
  });

  test("--max-block 1024: FCI 9F65 says 0400, a 1024-byte LOAD block is taken, 1025 is refused (6700)", async () => {
    const { parseFci } = await import("../../src/stack/gp/fci.ts");
    const { fromHex, toHex } = await import("../../src/stack/bytes.ts");
    const log: string[] = [];
    const card = createSimulatedCard({ open: true, maxBlock: 1024, log: (l) => log.push(l) });
    try {
      const r = await card.process(fromHex(`00A4040008${ISD}00`));
      expect(parseFci(r.subarray(0, r.length - 2)).maxCommandData).toBe(1024);
      const block = (n: number) => fromHex(`80E8000000${n.toString(16).padStart(4, "0")}` + "C4".repeat(n));
      expect(toHex(await card.process(fromHex(`80E602001407${PKG}08${ISD}00000000`)))).toBe("009000");
      expect(toHex((await card.process(block(1025))).slice(-2))).toBe("6700");
      expect(log.at(-1)).toContain("a LOAD block of 1025 bytes exceeds the 1024 this card announces (9F65)");
      // C4 82 03FC then data: the first block of a 1020-byte LFDB.
      const first = fromHex("80E8000000" + "0400" + "C48203FC" + "00".repeat(1020));
      expect(toHex((await card.process(first)).slice(-2))).toBe("9000");
    } finally {
      card.close();
    }
  });
});
