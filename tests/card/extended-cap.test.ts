/**
 * An extended CAP file (JCVM 3.1 chapter 6) on the simulated card: loaded as
 * one load file under its CAP AID on a 3.1 or later card, every package it
 * holds recorded and listed by GET STATUS (with C4 naming the CAP file),
 * importable, deleted only together; an older card refuses it at the LOAD.
 */
import { describe, test, expect } from "bun:test";
import { fromHex, toHex } from "../../src/stack/bytes.ts";
import { writeExtendedCap, type ExtendedCapSpec } from "../../src/stack/cap/writer/extended.ts";
import { writeCap } from "../../src/stack/cap/writer/write-cap.ts";
import { parseLoadFile } from "../../src/stack/cap/load-file.ts";
import { createSimulatedCard } from "../../src/card/sim.ts";
import { inProcessTransport } from "../../src/card/in-process.ts";
import { getStatusAll } from "../../src/host/gp/registry.ts";
import { apdu, installSequence, swOf } from "./helpers.ts";

const SPEC: ExtendedCapSpec = {
  capAid: fromHex("A0000006472F00FA"),
  packages: [
    { packageAid: fromHex("A0000006472F00F1"), packageName: "test.multi.one", applets: [{ aid: fromHex("A0000006472F00F101"), className: "One" }] },
    { packageAid: fromHex("A0000006472F00F2"), packageName: "test.multi.two", packageVersion: { major: 2, minor: 1 }, applets: [{ aid: fromHex("A0000006472F00F201"), className: "Two" }] },
  ],
};
const EXT = parseLoadFile(writeExtendedCap(SPEC));

async function install(card: ReturnType<typeof createSimulatedCard>, cap = EXT): Promise<string[]> {
  const sws: string[] = [];
  for (const c of installSequence(cap)) sws.push(swOf(toHex(await card.process(c))));
  return sws;
}

const loadFiles = async (card: ReturnType<typeof createSimulatedCard>) =>
  (await getStatusAll(inProcessTransport(card), "load-files-and-modules")).filter((e) => toHex(e.aid).startsWith("A0000006472F"));

describe("an extended CAP file on a Java Card 3.1 card", () => {
  test.each(["3.1", "3.2"])("Java Card %s: loads under the CAP AID; GET STATUS lists it with its applets, then each package with its version and C4 naming the file", async (release) => {
    const card = createSimulatedCard({ open: true, javaCardVersion: release });
    expect(await install(card)).toEqual(["9000", "9000", "9000", "9000", "9000"]);
    const files = await loadFiles(card);
    expect(files.map((f) => [toHex(f.aid), f.version ? toHex(f.version) : "", f.modules.map(toHex), f.loadFileAid ? toHex(f.loadFileAid) : ""])).toEqual([
      ["A0000006472F00FA", "0100", ["A0000006472F00F101", "A0000006472F00F201"], ""],
      ["A0000006472F00F1", "0100", [], "A0000006472F00FA"],
      ["A0000006472F00F2", "0201", [], "A0000006472F00FA"],
    ]);
    card.close();
  });

  test("a package alone cannot be deleted (6985); the CAP file with its instances takes every package with it", async () => {
    const card = createSimulatedCard({ open: true, javaCardVersion: "3.1" });
    await install(card);
    expect(swOf(await apdu(card, "80E400800A4F08A0000006472F00F200"))).toBe("6985");
    expect((await loadFiles(card)).length).toBe(3);
    expect(swOf(await apdu(card, "80E400800A4F08A0000006472F00FA00"))).toBe("9000");
    expect(await loadFiles(card)).toEqual([]);
    expect(await apdu(card, "00A4040009A0000006472F00F101")).not.toBe("9000");
    // Loaded again after the delete: nothing of the first copy is left behind.
    expect(await install(card)).toEqual(["9000", "9000", "9000", "9000", "9000"]);
    card.close();
  });

  test("a package AID already on the card, in a compact file or in another extended file, is refused at the LOAD", async () => {
    const card = createSimulatedCard({ open: true, javaCardVersion: "3.1" });
    const compact = parseLoadFile(writeCap({ packageAid: fromHex("A0000006472F00F2"), packageName: "test.clash", applets: [{ aid: fromHex("A0000006472F00F299"), className: "C" }] }));
    expect((await install(card, compact)).every((sw) => sw === "9000")).toBe(true);
    const sws = await install(card);
    expect(sws.slice(-3)).toEqual(["6985", "6A88", "6A88"]); // last LOAD refused, nothing to install from
    expect((await loadFiles(card)).map((f) => toHex(f.aid))).toEqual(["A0000006472F00F2"]);
    const other = parseLoadFile(writeExtendedCap({ ...SPEC, capAid: fromHex("A0000006472F00FB"), packages: [{ ...SPEC.packages[0]!, applets: [{ aid: fromHex("A0000006472F00F1AA"), className: "X" }] }] }));
    expect((await install(card, other)).every((sw) => sw === "9000")).toBe(true);
    expect((await install(card, parseLoadFile(writeExtendedCap({ ...SPEC, capAid: fromHex("A0000006472F00FC"), packages: [{ ...SPEC.packages[0]!, applets: [{ aid: fromHex("A0000006472F00F1BB"), className: "Y" }] }] })))).slice(-2)).toEqual(["6985", "6A88"]);
    card.close();
  });

  test("a compact file importing a package of an extended file passes the import check and installs", async () => {
    const card = createSimulatedCard({ open: true, javaCardVersion: "3.1" });
    await install(card);
    const importer = parseLoadFile(writeCap({
      packageAid: fromHex("A0000006472F00F5"),
      packageName: "test.importer",
      applets: [{ aid: fromHex("A0000006472F00F501"), className: "I" }],
      imports: [{ aid: fromHex("A0000000620101"), major: 1, minor: 2 }, { aid: fromHex("A0000006472F00F2"), major: 2, minor: 0 }],
    }));
    expect((await install(card, importer)).every((sw) => sw === "9000")).toBe(true);
    // Deleting the CAP file now is refused: the importer depends on one of its packages.
    expect(swOf(await apdu(card, "80E400800A4F08A0000006472F00FA00"))).toBe("6985");
    card.close();
  });
});

test.each(["3.0.5", "2.2.2"])("a Java Card %s card refuses an extended file at the LOAD (6A80) and keeps nothing", async (release) => {
  const card = createSimulatedCard({ open: true, javaCardVersion: release });
  const sws = await install(card);
  expect(sws[0]).toBe("9000");
  expect(sws[2]).toBe("6A80");
  expect(await loadFiles(card)).toEqual([]);
  card.close();
});
