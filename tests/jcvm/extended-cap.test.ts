/** Packages of an extended CAP file (JCVM 3.1 chapter 6) link and run on the JCVM of a 3.1 card, over 64 KB too. */
import { test, expect } from "bun:test";
import { fromHex, toHex } from "../../src/stack/bytes.ts";
import { writeExtendedCap } from "../../src/stack/cap/writer/extended.ts";
import { writeCap } from "../../src/stack/cap/writer/write-cap.ts";
import { assemble } from "../../src/stack/cap/writer/assembler.ts";
import { parseLoadFile } from "../../src/stack/cap/load-file.ts";
import { createSimulatedCard } from "../../src/card/sim.ts";
import { apdu, installSequence, swOf } from "../card/helpers.ts";
import { CommandApdu } from "../../src/stack/apdu.ts";
import { encodeTlv } from "../../src/stack/tlv.ts";
import type { CapFile } from "../../src/stack/cap/load-file.ts";

/** installSequence's INSTALL commands around LOAD blocks of `size` bytes in extended-length APDUs (a file over 64 KB needs more than 256 short blocks). */
function installWithBlocks(cap: CapFile, size: number): Uint8Array[] {
  const short = installSequence(cap);
  const file = encodeTlv(0xc4, cap.lfdb);
  const blocks = Math.ceil(file.length / size);
  const loads = Array.from({ length: blocks }, (_, i) =>
    new CommandApdu({ cla: 0x80, ins: 0xe8, p1: i === blocks - 1 ? 0x80 : 0, p2: i, data: file.subarray(i * size, (i + 1) * size), ne: 256, extended: true }).toBytes(),
  );
  return [short[0]!, ...loads, ...short.slice(-cap.applets.length)];
}

// process: ISOException.throwIt(0x6A88) for any command but SELECT (INS A4): only the VM's bytecode answers 6A88.
const SOURCE = `
  aload_1
  invokevirtual #getBuffer
  sconst_1
  baload
  bspush 0xA4
  if_scmpeq done
  sspush 0x6A88
  invokestatic #throwIt
done:
  return`;

test.each([0, 140_000])("an extended file of two packages (padding %d): each applet installs, selects and runs its bytecode", async (padding) => {
  // Constant pool: 0-1 framework, 2-5 the two classes, 6 process, then APDU.getBuffer (7) and ISOException.throwIt (8).
  const cap = parseLoadFile(
    writeExtendedCap({
      capAid: fromHex("A0000006472F00EA"),
      packages: [
        { packageAid: fromHex("A0000006472F00E1"), packageName: "test.ext.one", applets: [{ aid: fromHex("A0000006472F00E101"), className: "One" }], padding },
        { packageAid: fromHex("A0000006472F00E2"), packageName: "test.ext.two", applets: [{ aid: fromHex("A0000006472F00E201"), className: "Two" }] },
      ],
      process: { maxStack: 2, maxLocals: 0, code: assemble(SOURCE, { getBuffer: 7, throwIt: 8 }) },
      constants: [Uint8Array.of(3, 0x80, 10, 1), Uint8Array.of(6, 0x80, 7, 1)],
    }),
  );
  expect(cap.extended).toBe(true);
  const card = createSimulatedCard({ open: true, javaCardVersion: "3.1", maxBlock: 4000, memoryBytes: 1 << 20 });
  for (const c of installWithBlocks(cap, 4000)) expect(swOf(toHex(await card.process(c)))).toBe("9000");
  for (const aid of ["A0000006472F00E101", "A0000006472F00E201"]) {
    expect(await apdu(card, `00A4040009${aid}`)).toBe("9000");
    expect(await apdu(card, "8001000000")).toBe("6A88");
  }
  card.close();
});

test("a compact applet imports a library package of an extended file: the JCVM links it to that package's exports and calls it", async () => {
  // The extended file: a library package (get() returns 0x6A42) and an applet package.
  const library = parseLoadFile(
    writeExtendedCap({
      capAid: fromHex("A0000006472F00EB"),
      packages: [
        { packageAid: fromHex("A0000006472F00E3"), packageName: "test.ext.app", applets: [{ aid: fromHex("A0000006472F00E301"), className: "App" }] },
        { packageAid: fromHex("A0000006472F00E4"), packageName: "test.ext.lib", packageVersion: { major: 1, minor: 2 }, applets: [], library: { value: 0x6a42 } },
      ],
    }),
  );
  expect(library.components.has("Export")).toBe(true);
  // The importer: process() { ISOException.throwIt(Lib.get()); } for any command but SELECT.
  const importer = parseLoadFile(
    writeCap({
      packageAid: fromHex("A0000006472F00E5"),
      packageName: "test.importer",
      applets: [{ aid: fromHex("A0000006472F00E501"), className: "Imp" }],
      format: "2.3",
      imports: [
        { aid: fromHex("A0000000620101"), major: 1, minor: 2 },
        { aid: fromHex("A0000000620001"), major: 1, minor: 0 },
        { aid: fromHex("A0000006472F00E4"), major: 1, minor: 1 },
      ],
      process: {
        maxStack: 2,
        maxLocals: 0,
        code: assemble(
          `
  aload_1
  invokevirtual #getBuffer
  sconst_1
  baload
  bspush 0xA4
  if_scmpeq done
  invokestatic #get
  invokestatic #throwIt
done:
  return`,
          { getBuffer: 5, throwIt: 6, get: 7 },
        ),
      },
      constants: [Uint8Array.of(3, 0x80, 10, 1), Uint8Array.of(6, 0x80, 7, 1), Uint8Array.of(6, 0x82, 0, 0)],
    }),
  );
  const card = createSimulatedCard({ open: true, javaCardVersion: "3.1" });
  for (const c of [...installSequence(library), ...installSequence(importer)]) expect(swOf(toHex(await card.process(c)))).toBe("9000");
  expect(await apdu(card, "00A4040009A0000006472F00E501")).toBe("9000");
  expect(await apdu(card, "8001000000")).toBe("6A42");
  // The extended file's own applet still answers (its default process: 9000).
  expect(await apdu(card, "00A4040009A0000006472F00E301")).toBe("9000");
  expect(await apdu(card, "8001000000")).toBe("9000");
  card.close();
});
