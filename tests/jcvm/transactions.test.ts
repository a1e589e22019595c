/**
 * Transactions and tears on the JCVM (JCRE 3.0.5 chapter 7), with an applet
 * written in the assembler: three persistent shorts A, B, C (static fields);
 * A is written outside the transaction, B and C inside it.
 *   INS 10: read A B C     INS 20: A++, begin, B++, C++, commit
 *   INS 30: A++, begin, B++, C++, then an endless loop: the command dies inside the transaction (6F00)
 *   INS 40: begin, B++, abort      INS 50: begin, B++, ISOException 6A81
 *   INS 60: begin, begin (TransactionException IN_PROGRESS, uncaught: 6F00)
 */
import { describe, test, expect } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { fromHex, toHex } from "../../src/stack/bytes.ts";
import { writeCap } from "../../src/stack/cap/writer/write-cap.ts";
import { assemble } from "../../src/stack/cap/writer/assembler.ts";
import { parseLoadFile } from "../../src/stack/cap/load-file.ts";
import { createSimulatedCard, type SimOptions } from "../../src/card/sim.ts";
import { apdu, installSequence, swOf } from "../card/helpers.ts";

const AID = "A0000006472F000301";
const FW = 0x80; // import token 0: javacard.framework
// Constant pool: entries 0-3 are the builder's, 4 its process reference; ours start at 5.
const ENTRIES: [string, number[]][] = [
  ["A", [5, 0, 0, 0]], // StaticFieldref, image offset 0
  ["B", [5, 0, 0, 2]],
  ["C", [5, 0, 0, 4]],
  ["begin", [6, FW, 8, 1]], // JCSystem.beginTransaction
  ["commit", [6, FW, 8, 2]],
  ["abort", [6, FW, 8, 0]],
  ["getBuffer", [3, FW, 10, 1]], // APDU.getBuffer
  ["send", [3, FW, 10, 8]], // APDU.setOutgoingAndSend(SS)V
  ["setShort", [6, FW, 16, 6]], // Util.setShort([BSS)S
  ["throwIt", [6, FW, 7, 1]], // ISOException.throwIt(S)V
];
const CONSTANTS = Object.fromEntries(ENTRIES.map(([name], i) => [name, 5 + i]));

const inc = (f: string) => `getstatic_s #${f}\n sconst_1\n sadd\n putstatic_s #${f}`;
const SOURCE = `
  aload_1
  invokevirtual #getBuffer
  astore_2
  aload_2
  sconst_1
  baload
  sstore_3
  sload_3
  bspush 0x10
  if_scmpeq_w read
  sload_3
  bspush 0x20
  if_scmpeq_w committed
  sload_3
  bspush 0x30
  if_scmpeq_w torn
  sload_3
  bspush 0x40
  if_scmpeq_w aborted
  sload_3
  bspush 0x50
  if_scmpeq_w thrown
  sload_3
  bspush 0x60
  if_scmpeq_w nested
  return
committed:
  ${inc("A")}
  invokestatic #begin
  ${inc("B")}
  ${inc("C")}
  invokestatic #commit
  goto_w read
torn:
  ${inc("A")}
  invokestatic #begin
  ${inc("B")}
  ${inc("C")}
spin:
  goto spin
aborted:
  invokestatic #begin
  ${inc("B")}
  invokestatic #abort
  goto_w read
thrown:
  invokestatic #begin
  ${inc("B")}
  sspush 0x6A81
  invokestatic #throwIt
  return
nested:
  invokestatic #begin
  invokestatic #begin
  return
read:
  aload_2
  sconst_0
  getstatic_s #A
  invokestatic #setShort
  pop
  aload_2
  sconst_2
  getstatic_s #B
  invokestatic #setShort
  pop
  aload_2
  sconst_4
  getstatic_s #C
  invokestatic #setShort
  pop
  aload_1
  sconst_0
  bspush 6
  invokevirtual #send
  return
`;

function cap() {
  return parseLoadFile(
    writeCap({
      packageAid: fromHex("A0000006472F0003"),
      packageName: "test.tx",
      applets: [{ aid: fromHex(AID), className: "Tx" }],
      process: { maxStack: 4, maxLocals: 2, code: assemble(SOURCE, CONSTANTS) },
      constants: ENTRIES.map(([, bytes]) => Uint8Array.from(bytes)),
      staticBytes: 6,
    }),
  );
}

async function card(options: SimOptions = {}) {
  const c = createSimulatedCard({ open: true, jcvmLimits: { bytecodesPerApdu: 50_000 }, ...options });
  return c;
}

async function install(c: Awaited<ReturnType<typeof card>>) {
  for (const cmd of installSequence(cap())) expect(swOf(toHex(await c.process(cmd)))).toBe("9000");
  expect(await apdu(c, `00A4040009${AID}`)).toBe("9000");
}

const read = (c: Awaited<ReturnType<typeof card>>) => apdu(c, "8010000006");
const abc = (a: number, b: number, cc: number) => [a, b, cc].map((v) => v.toString(16).toUpperCase().padStart(4, "0")).join("") + "9000";

describe("JCSystem transactions", () => {
  test("a committed transaction keeps its writes", async () => {
    const c = await card();
    await install(c);
    expect(await read(c)).toBe(abc(0, 0, 0));
    expect(await apdu(c, "8020000006")).toBe(abc(1, 1, 1));
    expect(await apdu(c, "8020000006")).toBe(abc(2, 2, 2));
    c.close();
  });

  test("a command that dies inside a transaction (6F00) loses the transaction's writes, not those made before it", async () => {
    const c = await card();
    await install(c);
    expect(await apdu(c, "8030000000")).toBe("6F00");
    expect(await read(c)).toBe(abc(1, 0, 0));
    c.close();
  });

  test("abortTransaction undoes; an ISOException inside a transaction gives its SW and the transaction is aborted", async () => {
    const c = await card();
    await install(c);
    expect(await apdu(c, "8040000006")).toBe(abc(0, 0, 0));
    expect(await apdu(c, "8050000000")).toBe("6A81");
    expect(await read(c)).toBe(abc(0, 0, 0));
    expect(await apdu(c, "8060000000")).toBe("6F00"); // TransactionException.IN_PROGRESS, uncaught
    expect(await apdu(c, "8020000006")).toBe(abc(1, 1, 1)); // no transaction was left open
    c.close();
  });
});

describe("tears", () => {
  test("power cut after every APDU of a personalisation sequence: after a restart the state is exactly the APDUs that completed", async () => {
    const dir = mkdtempSync(join(tmpdir(), "webcard-jcvm-tear-"));
    try {
      for (let k = 0; k <= 4; k++) {
        const statePath = join(dir, `card-${k}.db`);
        const first = await card({ statePath });
        await install(first);
        for (let i = 0; i < k; i++) expect(swOf(await apdu(first, "8020000006"))).toBe("9000");
        // The torn command: dies inside its transaction.
        expect(await apdu(first, "8030000000")).toBe("6F00");
        first.powerOff();
        first.close();
        const again = await card({ statePath });
        expect(await apdu(again, `00A4040009${AID}`)).toBe("9000");
        expect(await read(again)).toBe(abc(k + 1, k, k));
        again.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
