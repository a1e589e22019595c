/** The golden APDUs of shared/fixtures/cap/README.md against an open simulated card. */
import { test, expect } from "bun:test";
import { toHex } from "../../src/stack/bytes.ts";
import { encodeTlv } from "../../src/stack/tlv.ts";
import { createSimulatedCard } from "../../src/card/sim.ts";
import { parseRegistryEntries } from "../../src/stack/gp/registry.ts";
import { fromHex } from "../../src/stack/bytes.ts";
import { fixture } from "./fixtures.ts";
import { apdu, getStatusAll, swOf } from "./helpers.ts";

const INSTALL_FOR_LOAD = "80E602001205010203040508A00000015100000000000000";
const INSTALL_AND_SELECTABLE = "80E60C001E050102030405080102030405060708080102030405060708010002C9000000";

test("golden APDUs answer 9000 and GET STATUS lists the package and the instance", async () => {
  const log: string[] = [];
  const card = createSimulatedCard({ open: true, log: (l) => log.push(l) });
  card.powerOn();
  const lfdb = fixture("gppro_Empty_0102030405_2.2.1.cap").lfdb;
  const loadData = encodeTlv(0xc4, lfdb);
  expect(loadData.length).toBe(214);
  const load = `80E88000D6${toHex(loadData)}`;
  expect(load.startsWith("80E88000D6C481D301000FDECAFFED0102040000050102030405")).toBe(true);

  expect(await apdu(card, "00A4040008A000000151000000")).toEndWith("9000");
  expect(swOf(await apdu(card, INSTALL_FOR_LOAD))).toBe("9000");
  expect(swOf(await apdu(card, load))).toBe("9000");
  expect(swOf(await apdu(card, INSTALL_AND_SELECTABLE))).toBe("9000");

  const files = await getStatusAll(card, 0x20);
  expect(files.sws.at(-1)).toBe("9000");
  const packages = parseRegistryEntries(files.data, "load-files").map((e) => toHex(e.aid));
  expect(packages).toContain("0102030405");
  expect(packages).toContain("A0000000620101"); // javacard.framework, shipped by the card
  // A page never exceeds 256 bytes; the registry needs more than one here.
  expect(files.sws.slice(0, -1).every((s) => s === "6310")).toBe(true);

  const apps = await apdu(card, "80F24002024F0000");
  expect(swOf(apps)).toBe("9000");
  const entries = parseRegistryEntries(fromHex(apps.slice(0, -4)), "apps");
  expect(entries.map((e) => toHex(e.aid))).toEqual(["0102030405060708"]);
  expect(entries[0]!.lifecycle).toBe(0x07);
  expect(toHex(entries[0]!.loadFileAid!)).toBe("0102030405");

  // The installed applet is selected; its process() throws CryptoException 0x6666 for every command
  // (GlobalPlatformPro's Empty), which the JCRE answers with 6F00. It stays selected: the next command reaches it.
  expect(await apdu(card, "00A40400080102030405060708")).toBe("6F00");
  expect(await apdu(card, "8001000000")).toBe("6F00");
  expect(log.some((l) => l.includes("loaded"))).toBe(true);
  card.close();
});
