/**
 * Where keys live (JC API 3.0.5 KeyBuilder, JCRE §6.2.5): a persistent key
 * keeps its value across deselection, reset and a restart of the card from
 * its memory; a CLEAR_ON_DESELECT key loses it when the applet is
 * deselected, a CLEAR_ON_RESET key at reset and power loss; a Signature
 * initialised with a transient key forgets that key with it; transient
 * key bytes never reach the card's state file.
 * The applet keeps a key and a Signature in its instance fields:
 *   P1 0: build a key of type P2 (DES 128 bits), set it from the data, and a
 *         Signature ALG_DES_MAC8_NOPAD initialised with it
 *   P1 1: isInitialized() of the key, one byte
 *   P1 2: the MAC of 8 zero bytes (6F00 when the Signature has no key)
 */
import { describe, test, expect } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fromHex, toHex } from "../../src/stack/bytes.ts";
import { writeCap } from "../../src/stack/cap/writer/write-cap.ts";
import { assemble, PROCESS_SKIPS_SELECT } from "../../src/stack/cap/writer/assembler.ts";
import { instanceFieldRef } from "../../src/stack/cap/writer/spec.ts";
import { parseLoadFile } from "../../src/stack/cap/load-file.ts";
import { createSimulatedCard } from "../../src/card/sim.ts";
import { apdu, installSequence, swOf } from "../card/helpers.ts";

const AID = "A0000006472F000901";
const [FW, SEC] = [0x80, 0x82];
const NAMES = ["getBuffer", "receive", "send", "buildKey", "setKey", "isInitialized", "getInstance", "init", "sign", "key", "sig"];
const ENTRIES = [
  [3, FW, 10, 1],
  [3, FW, 10, 6],
  [3, FW, 10, 8],
  [6, SEC, 13, 0], // KeyBuilder.buildKey(BSZ)
  [1, SEC, 10, 0], // DESKey (interface: setKey token 5, isInitialized token 3)
  [1, SEC, 0, 0], // Key
  [6, SEC, 15, 0], // Signature.getInstance(BZ)
  [3, SEC, 15, 3], // Signature.init(Key, B)
  [3, SEC, 15, 5], // Signature.sign
  [...instanceFieldRef(0)],
  [...instanceFieldRef(1)],
];
const C = Object.fromEntries(NAMES.map((n, i) => [n, 5 + i]));

const cap = parseLoadFile(
  writeCap({
    packageAid: fromHex("A0000006472F0009"),
    packageName: "test.keymemory",
    applets: [{ aid: fromHex(AID), className: "Keys" }],
    imports: [
      { aid: fromHex("A0000000620101"), major: 1, minor: 2 },
      { aid: fromHex("A0000000620001"), major: 1, minor: 0 },
      { aid: fromHex("A0000000620102"), major: 1, minor: 2 },
    ],
    fields: { references: 2, shorts: 0 },
    constants: ENTRIES.map((e) => Uint8Array.from(e)),
    process: {
      maxStack: 8,
      maxLocals: 2,
      code: assemble(
        `${PROCESS_SKIPS_SELECT}
  aload_1
  invokevirtual #receive
  pop
  aload_2
  sconst_2
  baload
  stableswitch done 0 2 make ask mac
make:
  aload_0
  aload_2
  sconst_3
  baload
  sspush 128
  sconst_0
  invokestatic #buildKey
  putfield_a #key
  getfield_a_this #key
  aload_2
  bspush 5
  invokeinterface 3 #setKey 5
  aload_0
  sconst_2
  sconst_0
  invokestatic #getInstance
  putfield_a #sig
  getfield_a_this #sig
  getfield_a_this #key
  sconst_1
  invokevirtual #init
  return
ask:
  aload_2
  sconst_0
  getfield_a_this #key
  invokeinterface 1 #isInitialized 3
  bastore
  aload_1
  sconst_0
  sconst_1
  invokevirtual #send
  return
mac:
  getfield_a_this #sig
  aload_2
  bspush 5
  bspush 8
  aload_2
  sconst_0
  invokevirtual #sign
  pop
  aload_1
  sconst_0
  bspush 8
  invokevirtual #send
done:
  return
`,
        C,
      ),
    },
  }),
);

const KEY = "404142434445464748494A4B4C4D4E4F";
const SELECT = `00A4040009${AID}`;
const SELECT_ISD = "00A4040008A000000151000000";
const make = (type: number) => `800000${type.toString(16).padStart(2, "0")}10${KEY}`;
/** 3DES CBC-MAC of 8 zero bytes under KEY, zero IV (openssl enc -des-ede-cbc -K 4041..4F -iv 0 -nopad). */
const MAC = "8BAF473F2F8FD094";

/** Whether the card's state file holds the key's bytes (the heap keeps byte strings as hex in its rows). */
function stateHoldsKey(statePath: string): boolean {
  const text = readFileSync(statePath).toString("latin1").toUpperCase();
  return text.includes(KEY);
}

async function withCard(statePath: string | undefined, fn: (c: ReturnType<typeof createSimulatedCard>) => Promise<void>) {
  const c = createSimulatedCard({ open: true, ...(statePath ? { statePath } : {}) });
  try {
    await fn(c);
  } finally {
    c.close();
  }
}

describe("key memory", () => {
  test("the MAC is the known answer (openssl) and a persistent key survives deselection, reset and a restart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "webcard-keys-"));
    try {
      const statePath = join(dir, "card.db");
      await withCard(statePath, async (c) => {
        for (const cmd of installSequence(cap)) expect(swOf(toHex(await c.process(cmd)))).toBe("9000");
        expect(await apdu(c, SELECT)).toBe("9000");
        expect(await apdu(c, make(3))).toBe("9000"); // TYPE_DES
        expect(await apdu(c, "8000020008000000000000000000")).toBe(`${MAC}9000`);
        expect(swOf(await apdu(c, SELECT_ISD))).toBe("9000");
        expect(await apdu(c, SELECT)).toBe("9000");
        expect(await apdu(c, "8000010000")).toBe("019000");
        c.reset();
        expect(await apdu(c, SELECT)).toBe("9000");
        expect(await apdu(c, "8000010000")).toBe("019000");
      });
      await withCard(statePath, async (c) => {
        expect(await apdu(c, SELECT)).toBe("9000");
        expect(await apdu(c, "8000010000")).toBe("019000");
        expect(await apdu(c, "8000020008000000000000000000")).toBe(`${MAC}9000`);
      });
      expect(stateHoldsKey(statePath)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a CLEAR_ON_DESELECT key is cleared when the applet is deselected, and its Signature forgets it", async () => {
    await withCard(undefined, async (c) => {
      for (const cmd of installSequence(cap)) expect(swOf(toHex(await c.process(cmd)))).toBe("9000");
      expect(await apdu(c, SELECT)).toBe("9000");
      expect(await apdu(c, make(2))).toBe("9000"); // TYPE_DES_TRANSIENT_DESELECT
      expect(await apdu(c, "8000010000")).toBe("019000");
      expect(await apdu(c, "8000020008000000000000000000")).toBe(`${MAC}9000`);
      expect(swOf(await apdu(c, SELECT_ISD))).toBe("9000");
      expect(await apdu(c, SELECT)).toBe("9000");
      expect(await apdu(c, "8000010000")).toBe("009000");
      expect(await apdu(c, "8000020008000000000000000000")).toBe("6F00");
    });
  });

  test("a CLEAR_ON_RESET key survives deselection and is cleared at reset and at a restart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "webcard-keys-"));
    try {
      const statePath = join(dir, "card.db");
      await withCard(statePath, async (c) => {
        for (const cmd of installSequence(cap)) expect(swOf(toHex(await c.process(cmd)))).toBe("9000");
        expect(await apdu(c, SELECT)).toBe("9000");
        expect(await apdu(c, make(1))).toBe("9000"); // TYPE_DES_TRANSIENT_RESET
        expect(swOf(await apdu(c, SELECT_ISD))).toBe("9000");
        expect(await apdu(c, SELECT)).toBe("9000");
        expect(await apdu(c, "8000010000")).toBe("019000");
        c.reset();
        expect(await apdu(c, SELECT)).toBe("9000");
        expect(await apdu(c, "8000010000")).toBe("009000");
        expect(await apdu(c, make(1))).toBe("9000");
      });
      // The key was set again before power off: RAM, so never written to the card's memory (nor the Signature's copy).
      expect(stateHoldsKey(statePath)).toBe(false);
      await withCard(statePath, async (c) => {
        expect(await apdu(c, SELECT)).toBe("9000");
        expect(await apdu(c, "8000010000")).toBe("009000");
        expect(await apdu(c, "8000020008000000000000000000")).toBe("6F00");
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
