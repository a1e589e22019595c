/** Packages of every compact CAP format the writer makes (2.1, 2.2, 2.3) link and run on the JCVM of a 3.1 card. */
import { test, expect } from "bun:test";
import { fromHex, toHex } from "../../src/stack/bytes.ts";
import { writeCap } from "../../src/stack/cap/writer/write-cap.ts";
import { assemble } from "../../src/stack/cap/writer/assembler.ts";
import { parseLoadFile } from "../../src/stack/cap/load-file.ts";
import { createSimulatedCard } from "../../src/card/sim.ts";
import { apdu, installSequence, swOf } from "../card/helpers.ts";

test.each(["2.1", "2.2", "2.3"] as const)("CAP %s: install, SELECT and a command run the applet's bytecode", async (format) => {
  // process: ISOException.throwIt(0x6A88) for any command but SELECT (INS A4).
  const source = `
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
  const constants = [Uint8Array.of(3, 0x80, 10, 1), Uint8Array.of(6, 0x80, 7, 1)]; // APDU.getBuffer, ISOException.throwIt
  const cap = parseLoadFile(
    writeCap({
      packageAid: fromHex("A0000006472F0009"),
      packageName: "test.formats",
      applets: [{ aid: fromHex("A0000006472F000901"), className: "F" }],
      format,
      process: { maxStack: 2, maxLocals: 0, code: assemble(source, { getBuffer: 5, throwIt: 6 }) },
      constants,
    }),
  );
  expect(cap.formatVersion).toBe(format);
  const card = createSimulatedCard({ open: true, javaCardVersion: "3.1" });
  for (const c of installSequence(cap)) expect(swOf(toHex(await card.process(c)))).toBe("9000");
  expect(await apdu(card, "00A4040009A0000006472F000901")).toBe("9000");
  expect(await apdu(card, "8001000000")).toBe("6A88");
  card.close();
});
