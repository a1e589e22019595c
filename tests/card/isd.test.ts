/** The ISD's commands on an open in-process card: registry changes, refusals and their reasons. */
import { describe, test, expect } from "bun:test";
import { concat, fromHex, toHex } from "../../src/stack/bytes.ts";
import { parseRegistryEntries } from "../../src/stack/gp/registry.ts";
import { parseKeyInformation } from "../../src/stack/gp/key-info.ts";
import { parseFci } from "../../src/stack/gp/fci.ts";
import { createSimulatedCard, type SimOptions } from "../../src/card/sim.ts";
import { FIXTURES, PYSIM, fixture } from "./fixtures.ts";
import { apdu, cmd, getStatusAll, installSequence, swOf } from "./helpers.ts";

function openCard(options: SimOptions = {}) {
  const log: string[] = [];
  const card = createSimulatedCard({ open: true, log: (l) => log.push(l), ...options });
  card.powerOn();
  return { card, log };
}

async function run(card: ReturnType<typeof openCard>["card"], apdus: Uint8Array[]): Promise<string[]> {
  const sws: string[] = [];
  for (const a of apdus) sws.push(toHex(await card.process(a)).slice(-4));
  return sws;
}

async function registryAids(card: ReturnType<typeof openCard>["card"], p1: number): Promise<string[]> {
  const { data } = await getStatusAll(card, p1);
  return parseRegistryEntries(data, p1 === 0x40 ? "apps" : "load-files").map((e) => toHex(e.aid));
}

describe("installing every fixture", () => {
  for (const name of FIXTURES) {
    test(name, async () => {
      const { card, log } = openCard();
      const cap = fixture(name);
      const sws = await run(card, installSequence(cap));
      if (name === PYSIM) {
        expect(sws.at(-2)).toBe("6A80"); // the last LOAD block: the import check
        expect(log.join("\n")).toContain("imported package A0000000090003FFFFFFFF8910710002 2.6 (sim.toolkit) is not on the card");
        expect(await registryAids(card, 0x20)).not.toContain(toHex(cap.packageAid));
      } else {
        expect(sws.every((s) => s === "9000")).toBe(true);
        expect(await registryAids(card, 0x20)).toContain(toHex(cap.packageAid));
        expect(await registryAids(card, 0x40)).toEqual(cap.applets.map((a) => toHex(a.aid)));
      }
      card.close();
    });
  }
});

test("a package with instances needs DELETE with related objects (6985, then 9000)", async () => {
  const { card, log } = openCard();
  const cap = fixture("kaoh_helloworld.cap");
  await run(card, installSequence(cap));
  const del = (p2: number) => cmd(0x80, 0xe4, 0x00, p2, concat(0x4f, cap.packageAid.length, cap.packageAid), 0);
  expect(swOf(toHex(await card.process(del(0x00))))).toBe("6985");
  expect(log.at(-1)).toContain("still has instances D0D1D2D3D4D50101");
  expect(swOf(toHex(await card.process(del(0x80))))).toBe("9000");
  expect(await registryAids(card, 0x40)).toEqual([]);
  expect(await registryAids(card, 0x20)).not.toContain(toHex(cap.packageAid));
  expect(swOf(toHex(await card.process(del(0x80))))).toBe("6A88");
  // Deleting the card's own API or the ISD is refused.
  expect(swOf(await apdu(card, "80E40000094F07A000000062010100"))).toBe("6985");
  expect(swOf(await apdu(card, "80E400000A4F08A00000015100000000"))).toBe("6985");
});

test("duplicate package and applet AIDs are refused", async () => {
  const { card, log } = openCard();
  const cap = fixture("kaoh_helloworld.cap");
  await run(card, installSequence(cap));
  const again = await run(card, installSequence(cap).slice(0, 1));
  expect(again).toEqual(["6985"]);
  expect(log.at(-1)).toContain("already on the card");
});

test("a load larger than the memory gives 6A84 and changes nothing", async () => {
  const { card, log } = openCard({ memoryBytes: 8000 });
  const big = fixture("jcalgtest_AlgTest_v1.7.4_jc222.cap");
  const sws = await run(card, installSequence(big));
  expect(sws[0]).toBe("9000");
  expect(sws[1]).toBe("6A84");
  expect(log.join("\n")).toContain("needs 21870 bytes");
  expect(await registryAids(card, 0x20)).not.toContain(toHex(big.packageAid));
  // Declared size in the load parameters (EF C6) is checked at INSTALL [for load].
  const aid = big.packageAid;
  const params = fromHex("EF04C6025000"); // 0x5000 = 20480 bytes
  const data = concat(aid.length, aid, 0, 0, params.length, params, 0);
  expect(swOf(toHex(await card.process(cmd(0x80, 0xe6, 0x02, 0x00, data, 0))))).toBe("6A84");
  // Free memory in FF21 did not move.
  const r = await apdu(card, "80CAFF2100");
  expect(swOf(r)).toBe("9000");
  expect(r).toContain("820400001F40"); // 8000 bytes free
});

test("LOAD checks block numbers, the C4 length and the hash", async () => {
  const { card, log } = openCard();
  const cap = fixture("kaoh_helloworld.cap");
  const seq = installSequence(cap);
  expect(await run(card, [seq[0]!])).toEqual(["9000"]);
  // Block 1 before block 0.
  expect(await run(card, [seq[2]!])).toEqual(["6A86"]);
  expect(log.at(-1)).toContain("block number 1, expected 0");
  // Wrong C4 length: first block claims fewer bytes than follow.
  const bad = seq[1]!.slice();
  bad[7] = 0x10; // C4 81 F7 -> C4 81 10
  expect(await run(card, [bad])).toEqual(["6A80"]);
  // Hash given at INSTALL [for load] and wrong.
  const aid = cap.packageAid;
  const wrongHash = new Uint8Array(32);
  const data = concat(aid.length, aid, 0, 32, wrongHash, 0, 0);
  expect(await run(card, [cmd(0x80, 0xe6, 0x02, 0x00, data, 0), seq[1]!, seq[2]!])).toEqual(["9000", "9000", "6A80"]);
  expect(log.join("\n")).toContain("SHA256 hash");
  // The right hash passes.
  const good = concat(aid.length, aid, 0, 32, cap.lfdbHash("sha256"), 0, 0);
  expect(await run(card, [cmd(0x80, 0xe6, 0x02, 0x00, good, 0), seq[1]!, seq[2]!])).toEqual(["9000", "9000", "9000"]);
});

test("GET DATA: CPLC, card data, key information, FF21, C1, CIN; unknown gives 6A88", async () => {
  const { card } = openCard();
  expect(await apdu(card, "80CA9F7F00")).toMatch(/^9F7F2A[0-9A-F]{84}9000$/);
  expect(await apdu(card, "80CA006600")).toStartWith("663F733D06072A864886FC6B01");
  const keys = await apdu(card, "80CA00E000");
  const info = parseKeyInformation(fromHex(keys.slice(0, -4)));
  expect(info.map((k) => [k.id, k.version, k.components[0]])).toEqual([
    [1, 0xff, { type: 0x88, length: 16 }],
    [2, 0xff, { type: 0x88, length: 16 }],
    [3, 0xff, { type: 0x88, length: 16 }],
  ]);
  expect(await apdu(card, "80CAFF2100")).toStartWith("FF21");
  expect(await apdu(card, "80CA00C100")).toMatch(/^C103[0-9A-F]{6}9000$/);
  expect(await apdu(card, "00CA004500")).toMatch(/^450A[0-9A-F]{20}9000$/);
  expect(await apdu(card, "80CA123400")).toBe("6A88");
});

test("SELECT: FCI with 9F65, partial AID, unknown AID; a closed logical channel answers 6881", async () => {
  const { card } = openCard();
  const fci = await apdu(card, "00A4040008A000000151000000");
  expect(swOf(fci)).toBe("9000");
  const parsed = parseFci(fromHex(fci.slice(0, -4)));
  expect(toHex(parsed.aid!)).toBe("A000000151000000");
  expect(parsed.maxCommandData).toBe(255);
  expect(parsed.recognition?.scps).toEqual([{ scp: 3, i: 0x70 }]);
  expect(swOf(await apdu(card, "00A4040007A0000001510000"))).toBe("9000"); // partial
  expect(await apdu(card, "00A4040005A000000999")).toBe("6A82");
  expect(await apdu(card, "00A4040C08A000000151000000")).toBe("9000"); // no FCI asked
  expect(await apdu(card, "81F2800002")).toBe("6881"); // channel 1 is not open (logical-channels.test.ts has the rest)
  expect(await apdu(card, "FFA4040000")).toBe("6E00");
  expect(await apdu(card, "80FF000000")).toBe("6D00");
  expect(await apdu(card, "80F2")).toBe("6700");
  expect(await apdu(card, "80F240020A4F00")).toBe("6700");
  expect(await apdu(card, "80F2FF02024F0000")).toBe("6A86");
});

test("SET STATUS locks and unlocks an application; card life cycle follows GP's transitions", async () => {
  const { card } = openCard();
  const cap = fixture("kaoh_helloworld.cap");
  await run(card, installSequence(cap));
  const app = toHex(cap.applets[0]!.aid);
  expect(await apdu(card, `80F04080${"08"}${app}`)).toBe("9000");
  expect(await apdu(card, `00A4040008${app}`)).toBe("6A82");
  expect(await apdu(card, `80F04000${"08"}${app}`)).toBe("9000");
  // Selectable again: the applet's process() answers SELECT with "Hello World!" (its source sends it for any command).
  expect(await apdu(card, `00A4040008${app}`)).toBe("48656C6C6F20576F726C64219000");
  expect(await apdu(card, "00A4040008A000000151000000")).toEndWith("9000");
  expect(await apdu(card, "80F0807F00")).toBe("9000"); // lock the card
  expect(await apdu(card, `00A4040008${app}`)).toBe("6A82");
  expect(swOf(await apdu(card, installSequence(cap).map(toHex)[0]!))).toBe("6985");
  expect(await apdu(card, "80F0800F00")).toBe("9000"); // unlock
  expect(await apdu(card, "80F0800100")).toBe("6985"); // SECURED -> OP_READY is not allowed
});

test("an application with the card reset privilege is selected at power-on", async () => {
  const { card } = openCard();
  const cap = fixture("kaoh_helloworld.cap");
  const seq = installSequence(cap);
  const last = seq.at(-1)!.slice();
  // INSTALL [for install and make selectable] data: ... | 01 <privileges> | ...: set card reset (04).
  const aid = cap.applets[0]!.aid;
  const privAt = 5 + 1 + cap.packageAid.length + 1 + aid.length + 1 + aid.length + 1;
  expect(last[privAt - 1]).toBe(0x01);
  last[privAt] = 0x04;
  expect(await run(card, [...seq.slice(0, -1), last])).toEqual(["9000", "9000", "9000", "9000"]);
  card.reset();
  // The selected application is the installed applet (it answers "Hello World!" to anything), not the ISD.
  expect(await apdu(card, "80CA9F7F00")).toBe("48656C6C6F20576F726C64219000");
  expect(await apdu(card, "00A4040000")).toBe("48656C6C6F20576F726C64219000"); // SELECT without AID: the default application
  expect(swOf(await apdu(card, "00A4040008A000000151000000"))).toBe("9000");
  expect(await apdu(card, "80CA9F7F00")).toEndWith("9000");
});
