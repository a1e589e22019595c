/**
 * Applets that misbehave: an endless loop runs out of its bytecode budget
 * and a runaway recursion out of the call depth; each command gets 6F00
 * and the card (ISD, other applets, the same applet's next command) goes on.
 */
import { test, expect } from "bun:test";
import { toHex, fromHex, u16 } from "../../src/stack/bytes.ts";
import { writeCap } from "../../src/stack/cap/writer/write-cap.ts";
import { parseLoadFile } from "../../src/stack/cap/load-file.ts";
import { createSimulatedCard } from "../../src/card/sim.ts";
import { apdu, installSequence, swOf } from "../card/helpers.ts";
import type { ProcessBody } from "../../src/stack/cap/writer/spec.ts";

const AID = "A0000006472F000101";

function capWith(process: ProcessBody) {
  return parseLoadFile(
    writeCap({ packageAid: fromHex("A0000006472F0001"), packageName: "test.limits", applets: [{ aid: fromHex(AID), className: "Bad" }], process }),
  );
}

async function cardWith(process: ProcessBody) {
  const log: string[] = [];
  const card = createSimulatedCard({ open: true, log: (l) => log.push(l), jcvmLimits: { bytecodesPerApdu: 100_000 } });
  for (const c of installSequence(capWith(process))) expect(swOf(toHex(await card.process(c)))).toBe("9000");
  return { card, log };
}

test("an endless loop (goto to itself) gets 6F00 on every command, and the ISD still answers", async () => {
  const { card, log } = await cardWith({ maxStack: 0, maxLocals: 0, code: [0x70, 0x00] });
  expect(await apdu(card, `00A4040009${AID}`)).toBe("6F00");
  expect(await apdu(card, "8001000000")).toBe("6F00");
  expect(log.join("\n")).toContain("ran more than 100000 bytecodes");
  expect(swOf(await apdu(card, "00A4040008A000000151000000"))).toBe("9000");
  card.close();
});

test("process calling itself without end gets 6F00 (call depth), and the ISD still answers", async () => {
  // aload_0, aload_1, invokevirtual #4 (this.process), return
  const { card, log } = await cardWith({ maxStack: 2, maxLocals: 0, code: [0x18, 0x19, 0x8b, u16(4), 0x7a] });
  expect(await apdu(card, `00A4040009${AID}`)).toBe("6F00");
  expect(log.join("\n")).toContain("nested method calls");
  expect(swOf(await apdu(card, "00A4040008A000000151000000"))).toBe("9000");
  card.close();
});

test("a process that returns answers 9000", async () => {
  const { card } = await cardWith({ maxStack: 0, maxLocals: 0, code: [0x7a] });
  expect(await apdu(card, `00A4040009${AID}`)).toBe("9000");
  expect(await apdu(card, "8001000000")).toBe("9000");
  card.close();
});
